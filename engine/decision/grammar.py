"""FEEL grammar (DMN 1.5 chapter 10) for lark's LALR parser."""

FEEL_GRAMMAR = r"""
start_expr: expr
start_tests: "-" -> ut_any
    | ut_item ("," ut_item)* -> ut_list

?ut_item: cmp_op additive -> ut_cmp
    | expr -> ut_expr

?expr: textual | disjunction
?textual: for_expr | if_expr | quant_expr | func_def

for_expr: "for" for_iter ("," for_iter)* "return" expr
for_iter: name "in" expr ".." expr -> iter_range
    | name "in" expr -> iter_list
if_expr: "if" expr "then" expr "else" expr
quant_expr: QUANT q_iter ("," q_iter)* "satisfies" expr
q_iter: name "in" expr
func_def: "function" "(" [params] ")" [EXTERNAL] expr
params: param ("," param)*
param: name [":" type]

?disjunction: conjunction | disjunction "or" conjunction -> or_
?conjunction: comparison | conjunction "and" comparison -> and_
?comparison: additive
    | additive cmp_op additive -> compare
    | additive "between" additive "and" additive -> between
    | additive "in" in_item -> in_one
    | additive "in" "(" in_item ("," in_item)+ ")" -> in_many
    | additive INSTANCE_OF type -> instance_of

?in_item: cmp_op additive -> ut_cmp
    | additive -> ut_expr

!cmp_op: "=" | "!=" | "<" | "<=" | ">" | ">="

?additive: multiplicative
    | additive "+" multiplicative -> add
    | additive "-" multiplicative -> sub
?multiplicative: power
    | multiplicative "*" power -> mul
    | multiplicative "/" power -> div
?power: unary | power "**" unary -> pow
?unary: postfix | "-" unary -> neg

?postfix: primary
    | postfix "[" expr "]" -> filter
    | postfix "." name -> path
    | postfix "(" [args] ")" -> call

args: expr ("," expr)* -> pos_args
    | named_arg ("," named_arg)* -> named_args
named_arg: name ":" expr

?primary: literal
    | name -> var
    | "?" -> qmark
    | "(" expr ")"
    | list
    | context
    | interval
    | "(" cmp_op additive ")" -> cmp_range

literal: NUMBER -> number
    | STRING -> string
    | "true" -> true
    | "false" -> false
    | "null" -> null
    | "@" STRING -> at_literal

list: "[" [expr ("," expr)*] "]"
context: "{" [ctx_entry ("," ctx_entry)*] "}"
ctx_entry: ctx_key ":" expr
?ctx_key: name | STRING -> str_key

!interval: ("[" | "(" | "]") expr ".." endpoint ("]" | ")" | "[")
?endpoint: "-" ep_atom -> neg
    | ep_atom
?ep_atom: literal
    | name -> var
    | "(" expr ")"
    | ep_atom "." name -> path
    | ep_atom "(" [args] ")" -> call

type: name -> simple_type
    | name "<" type ("," type)* ">" -> generic_type
    | name "<" type_field ("," type_field)* ">" -> context_type
    | "function" "<" [type ("," type)*] ">" "->" type -> function_type
type_field: name ":" type

name: NAME+

QUANT.2: /(some|every)(?![\w])/
INSTANCE_OF.3: /instance\s+of(?![\w])/
EXTERNAL.2: /external(?![\w])/
NAME: /(?!(@KEYWORDS@)(?![\w]))([^\W\d]|[\U00010000-\U0010FFFF])(\w|[\U00010000-\U0010FFFF])*/
NUMBER: /(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/
STRING: /"(?:[^"\\]|\\.)*"/

COMMENT: /\/\/[^\n]*/ | /\/\*(.|\n)*?\*\//
%ignore /\s+/
%ignore COMMENT
"""
# Keywords may not start a name; spelled once here to keep the NAME pattern readable.
_KEYWORDS = "and|or|in|if|then|else|for|return|some|every|satisfies|between|true|false|null|function"
FEEL_GRAMMAR = FEEL_GRAMMAR.replace("@KEYWORDS@", _KEYWORDS)
