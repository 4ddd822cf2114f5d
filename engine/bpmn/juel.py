"""Parse the JUEL subset Camunda diagrams use and emit equivalent Python source text."""

from __future__ import annotations

import ast
import keyword
import math
import operator
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|[-+*/%!<>?:().,\[\]])
""", re.VERBOSE)

_WORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
             "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_CONSTANTS = {"true": "True", "false": "False", "null": "None"}
_PY_OPS = {"&&": "and", "||": "or", "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
           "+": "+", "-": "-", "*": "*", "/": "/", "%": "%"}
# Binding power of JUEL's binary operators (higher binds tighter); `?:` sits below `||`.
_BINARY = {"||": 10, "&&": 20, "==": 30, "!=": 30, "<": 40, ">": 40, "<=": 40, ">=": 40,
           "+": 50, "-": 50, "*": 60, "/": 60, "%": 60}
_TERNARY = 5
_UNARY = 70


@dataclass(frozen=True)
class Token:
    kind: str  # number | string | name | op | end
    text: str


def tokenize(source: str) -> list[Token]:
    """Split a JUEL expression body into tokens; word operators become their symbols."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise ValueError(f"unerwartetes Zeichen »{source[pos]}«")
        pos = match.end()
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "space":
            continue
        if kind == "name" and text in _WORD_OPS:
            tokens.append(Token("op", _WORD_OPS[text]))
        elif kind == "name" and text == "empty":
            tokens.append(Token("op", "empty"))
        else:
            tokens.append(Token(kind, text))
    tokens.append(Token("end", ""))
    return tokens


def _python_string(juel_literal: str) -> str:
    """Turn a JUEL string literal (either quote, backslash escapes) into a Python literal."""
    body = juel_literal[1:-1]
    return repr(re.sub(r"\\(.)", r"\1", body))


class _Parser:
    """Pratt parser over JUEL tokens; every method returns Python source for what it consumed."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind not in ("op",):
            raise ValueError(f"»{text}« erwartet, gefunden »{token.text or 'Ende'}«")

    def expression(self, min_power: int = 0) -> str:
        left = self.unary()
        while True:
            token = self.peek()
            if token.kind != "op":
                return left
            if token.text == "?" and min_power <= _TERNARY:
                self.take()
                when_true = self.expression(0)
                self.expect(":")
                when_false = self.expression(_TERNARY)
                left = f"({when_true} if {left} else {when_false})"
                continue
            power = _BINARY.get(token.text)
            if power is None or power <= min_power:
                return left
            self.take()
            right = self.expression(power)
            left = f"({left} {_PY_OPS[token.text]} {right})"

    def unary(self) -> str:
        token = self.peek()
        if token.kind == "op" and token.text in ("!", "-", "empty"):
            self.take()
            operand = self.expression(_UNARY)
            if token.text == "!":
                return f"(not {operand})"
            if token.text == "-":
                return f"(-{operand})"
            # JUEL `empty` is true for null, '' and empty collections, but not for 0 or false.
            return f"({operand} in (None, '', [], {{}}))"
        return self.postfix(self.primary())

    def primary(self) -> str:
        token = self.take()
        if token.kind == "number":
            return token.text
        if token.kind == "string":
            return _python_string(token.text)
        if token.kind == "name":
            if token.text in _CONSTANTS:
                return _CONSTANTS[token.text]
            if keyword.iskeyword(token.text):
                raise ValueError(f"»{token.text}« ist ein reserviertes Wort und kein Variablenname")
            return token.text
        if token.kind == "op" and token.text == "(":
            inner = self.expression(0)
            self.expect(")")
            return f"({inner})"
        raise ValueError(f"unerwartet: »{token.text or 'Ende des Ausdrucks'}«")

    def arguments(self) -> list[str]:
        args: list[str] = []
        if self.peek().text == ")":
            self.take()
            return args
        while True:
            args.append(self.expression(0))
            token = self.take()
            if token.text == ")":
                return args
            if token.text != ",":
                raise ValueError(f"»,« oder »)« erwartet, gefunden »{token.text or 'Ende'}«")

    def postfix(self, target: str) -> str:
        while self.peek().kind == "op" and self.peek().text in (".", "[", "("):
            token = self.take()
            if token.text == "[":
                index = self.expression(0)
                self.expect("]")
                target = f"{target}[{index}]"
            elif token.text == "(":
                target = f"{target}({', '.join(self.arguments())})"
            else:
                target = self.member(target)
        return target

    def member(self, target: str) -> str:
        name = self.take()
        if name.kind != "name":
            raise ValueError(f"nach ».« wird ein Name erwartet, gefunden »{name.text or 'Ende'}«")
        if self.peek().text != "(":
            # Task data holds plain dicts, so `a.b` reads the key 'b'.
            return f"{target}[{name.text!r}]"
        if target == "execution" and name.text == "getVariable":
            self.take()
            args = self.arguments()
            if len(args) == 1 and args[0][:1] in "'\"":
                variable = args[0][1:-1]
                if variable.isidentifier():
                    return variable
            raise ValueError("execution.getVariable braucht einen Variablennamen in Anführungszeichen")
        return f"{target}.{name.text}"


def juel_to_python_expr(body: str) -> str:
    """Translate the body of one `${...}` to a Python expression; raise ValueError if malformed."""
    if not body.strip():
        raise ValueError("der Ausdruck ist leer")
    parser = _Parser(tokenize(body))
    result = parser.expression(0)
    rest = parser.peek()
    if rest.kind != "end":
        raise ValueError(f"unerwartet: »{rest.text}«")
    return _strip_outer_parens(result)


def _strip_outer_parens(source: str) -> str:
    """Drop one pair of enclosing parentheses when that does not change the expression."""
    if not (source.startswith("(") and source.endswith(")")):
        return source
    inner = source[1:-1]
    try:
        same = ast.dump(ast.parse(inner, mode="eval")) == ast.dump(ast.parse(source, mode="eval"))
    except SyntaxError:
        return source
    return inner if same else source


# ---- EL semantics at run time -------------------------------------------------------------------
# Translated JUEL is plain Python plus this marker comment. A plain Python engine ignores the comment;
# kimflow's sandbox sees it and routes comparisons, arithmetic, property access and boolean tests
# through the helpers below, so "5" == 5, a.b on a missing key and `empty` behave as in Camunda.
EL_MARKER = "  # juel"


class ElError(ValueError):
    """A JUEL value cannot be coerced as the expression language requires."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def el_number(value: Any) -> int | float:
    """Coerce to a number: null and '' are 0, text is parsed, booleans are refused."""
    if value is None or value == "":
        return 0
    if isinstance(value, Decimal):
        return float(value)
    if _is_number(value):
        return cast(int | float, value)
    if isinstance(value, str):
        try:
            return float(value) if re.search(r"[.eE]", value) else int(value)
        except ValueError:
            pass
    raise ElError(f"»{value}« ist keine Zahl")


def el_text(value: Any) -> str:
    """Coerce to text: null is '', booleans are 'true'/'false'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def el_bool(value: Any) -> bool:
    """Coerce to a boolean: null and '' are false, text is true only when it reads 'true'."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.lower() == "true"
    raise ElError(f"»{value}« ist kein Wahrheitswert")


def _coerced(left: Any, right: Any) -> tuple[Any, Any]:
    if _is_number(left) or _is_number(right):
        return el_number(left), el_number(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return el_bool(left), el_bool(right)
    if isinstance(left, str) or isinstance(right, str):
        return el_text(left), el_text(right)
    return left, right


def el_compare(symbol: str, left: Any, right: Any) -> bool:
    """Compare as EL does: null equals only null and is never ordered; operands are coerced."""
    if left is None or right is None:
        return (left is right) if symbol in ("==", "<=", ">=") else (symbol == "!=" and left is not right)
    left, right = _coerced(left, right)
    return bool(_COMPARE[symbol](left, right))


def el_arith(symbol: str, left: Any, right: Any) -> Any:
    """Compute +, -, *, /, % on coerced numbers (null counts as 0; `/` always divides exactly)."""
    a, b = el_number(left), el_number(right)
    if symbol == "/":
        return a / b
    if symbol == "%":
        remainder = math.fmod(a, b)  # Java's remainder takes the dividend's sign
        return int(remainder) if isinstance(a, int) and isinstance(b, int) else remainder
    return _ARITH[symbol](a, b)


def el_negate(value: Any) -> Any:
    """Negate a coerced number."""
    return -el_number(value)


def el_property(base: Any, key: Any) -> Any:
    """Read base.key or base[key] null-safely: a missing key, index or base gives null."""
    if base is None or key is None:
        return None
    if isinstance(base, dict):
        return base.get(key, base.get(str(key)))
    if isinstance(base, list | tuple):
        index = int(el_number(key))
        return base[index] if 0 <= index < len(base) else None
    raise ElError(f"»{key}« ist keine Eigenschaft von »{base}«")


_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le,
            ">=": operator.ge}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}
EL_HELPERS = {"__kf_el_compare": el_compare, "__kf_el_arith": el_arith, "__kf_el_bool": el_bool,
              "__kf_el_text": el_text, "__kf_el_negate": el_negate, "__kf_el_property": el_property}
_COMPARE_SYMBOLS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.Gt: ">", ast.LtE: "<=", ast.GtE: ">="}
_ARITH_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}


def _helper(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=f"__kf_el_{name}", ctx=ast.Load()), args=list(args), keywords=[])


class _ElSemantics(ast.NodeTransformer):
    """Route the operators of translated JUEL through the EL helpers."""

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        symbol = _COMPARE_SYMBOLS.get(type(node.ops[0]))
        if len(node.ops) != 1 or symbol is None:
            return node  # `in` only comes from `empty`, which is already null-safe
        return ast.copy_location(_helper("compare", ast.Constant(symbol), node.left, node.comparators[0]), node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        symbol = _ARITH_SYMBOLS.get(type(node.op))
        if symbol is None:
            return node
        return ast.copy_location(_helper("arith", ast.Constant(symbol), node.left, node.right), node)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        node.values = [_helper("bool", value) for value in node.values]
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            node.operand = _helper("bool", node.operand)
        elif isinstance(node.op, ast.USub):
            return ast.copy_location(_helper("negate", node.operand), node)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        self.generic_visit(node)
        node.test = _helper("bool", node.test)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.slice, ast.Slice):
            return node
        return ast.copy_location(_helper("property", node.value, cast(ast.expr, node.slice)), node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "str" and len(node.args) == 1:
            node.func = ast.Name(id="__kf_el_text", ctx=ast.Load())
        return node


def with_el_semantics(tree: ast.Expression) -> ast.Expression:
    """Rewrite a checked expression tree of translated JUEL so that it evaluates with EL semantics."""
    return ast.fix_missing_locations(_ElSemantics().visit(tree))
