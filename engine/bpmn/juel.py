"""Parse the JUEL subset Camunda diagrams use and emit equivalent Python source text."""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass

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
