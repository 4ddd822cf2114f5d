"""Translate the FEEL cells Camunda Modeler writes into the Python SpiffWorkflow's DMN engine runs.

SpiffWorkflow replaces `?` in an input entry by the column's input value, so every translated
input entry is a test on `?` (e.g. `[1..5]` becomes `1 <= ? <= 5`). Dates are compared as ISO
strings, the form in which kimflow's forms store them (`date("2024-06-27")` becomes '2024-06-27').
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<func>date\s+and\s+time(?=\s*\()|date(?=\s*\()|time(?=\s*\()|duration(?=\s*\())
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*)
  | (?P<op>\.\.|<=|>=|!=|[<>=\[\]\(\),-])
""", re.VERBOSE)

_CONSTANTS = {"true": "True", "false": "False", "null": "None"}
_COMPARISONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}


class FeelError(ValueError):
    """The cell is not in the FEEL subset kimflow understands."""


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str


def _tokenize(source: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise FeelError(f"unerwartetes Zeichen »{source[pos]}«")
        pos = match.end()
        if match.lastgroup != "space":
            tokens.append(_Tok(match.lastgroup or "", match.group()))
    tokens.append(_Tok("end", ""))
    return tokens


def path_to_python(path: str) -> str:
    """Turn a dotted FEEL/JUEL path `a.b.c` into Python `a['b']['c']` (task data holds dicts)."""
    head, *rest = path.split(".")
    if head in _CONSTANTS:
        return _CONSTANTS[head]
    return head + "".join(f"[{part!r}]" for part in rest)


class _Cells:
    """Recursive-descent parser over one FEEL cell's tokens."""

    def __init__(self, source: str):
        self.tokens = _tokenize(source)
        self.pos = 0

    def peek(self) -> _Tok:
        return self.tokens[self.pos]

    def take(self) -> _Tok:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise FeelError(f"»{text}« erwartet, gefunden »{token.text or 'Ende'}«")

    def done(self) -> None:
        if self.peek().kind != "end":
            raise FeelError(f"unerwartet: »{self.peek().text}«")

    def endpoint(self) -> str:
        token = self.take()
        if token.kind == "number":
            return token.text
        if token.text == "-" and self.peek().kind == "number":
            return "-" + self.take().text
        if token.kind == "string":
            return repr(re.sub(r"\\(.)", r"\1", token.text[1:-1]))
        if token.kind == "name":
            return path_to_python(token.text)
        if token.kind == "func":
            self.expect("(")
            value = self.take()
            if value.kind != "string":
                raise FeelError(f"{token.text}(...) braucht einen Text in Anführungszeichen")
            self.expect(")")
            return repr(value.text[1:-1])
        raise FeelError(f"Wert erwartet, gefunden »{token.text or 'Ende'}«")

    def interval(self) -> str:
        opening = self.take().text
        low = self.endpoint()
        self.expect("..")
        high = self.endpoint()
        closing = self.take().text
        if closing not in ("]", ")", "["):
            raise FeelError(f"»]« oder »)« erwartet, gefunden »{closing or 'Ende'}«")
        low_op = "<=" if opening == "[" else "<"
        high_op = "<=" if closing == "]" else "<"
        return f"{low} {low_op} ? {high_op} {high}"

    def test(self) -> tuple[str, str | None]:
        """Return (python test on ?, the literal when the test is a plain equality)."""
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARISONS:
            self.take()
            return f"? {_COMPARISONS[token.text]} {self.endpoint()}", None
        if token.kind == "op" and token.text in ("[", "(", "]"):
            return self.interval(), None
        if token.kind == "name" and token.text == "not" and self.tokens[self.pos + 1].text == "(":
            self.take()
            self.take()
            inner = self.tests()
            self.expect(")")
            return f"not ({inner})", None
        value = self.endpoint()
        return f"? == {value}", value

    def tests(self) -> str:
        parts = [self.test()]
        while self.peek().text == ",":
            self.take()
            parts.append(self.test())
        literals = [literal for _test, literal in parts]
        if len(parts) > 1 and all(literal is not None for literal in literals):
            return f"? in ({', '.join(literals)})"  # type: ignore[arg-type]
        if len(parts) == 1:
            return parts[0][0]
        return " or ".join(f"({test})" for test, _literal in parts)


def feel_input_entry_to_python(text: str | None) -> str | None:
    """Translate a DMN input entry; None means "any value". Python cells (with `?`) pass unchanged."""
    if text is None or text.strip() in ("", "-"):
        return None
    source = text.strip()
    if "?" in source:
        return source
    try:
        cells = _Cells(source)
        result = cells.tests()
        cells.done()
    except FeelError:
        return source
    return result


def feel_output_entry_to_python(text: str | None) -> str | None:
    """Translate a DMN output entry (string, number, true/false/null, date(...)); others pass unchanged."""
    if text is None or not text.strip():
        return text
    source = text.strip()
    try:
        cells = _Cells(source)
        result = cells.endpoint()
        cells.done()
    except FeelError:
        return source
    return result


def feel_input_expression_to_python(text: str | None) -> str | None:
    """Translate a DMN input expression: a dotted path becomes dict access; anything else passes."""
    if text is None:
        return None
    source = text.strip()
    if re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)+", source):
        return path_to_python(source)
    return source
