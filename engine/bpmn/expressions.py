"""Translate Camunda JUEL `${...}` expressions and ISO 8601 timer values to Python source text."""

from __future__ import annotations

import ast
import re

from engine.bpmn.juel import EL_MARKER, juel_to_python_expr
from engine.bpmn.validation_dmn import feel_problem


class ExpressionError(ValueError):
    """A designer's expression cannot be translated; the message is German and names the text."""


_TEMPLATE = re.compile(r"[$#]\{")

_DURATION = (r"P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
             r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?")
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_DURATION = re.compile(rf"^{_DURATION}$")
_ISO_DATETIME = re.compile(rf"^{_DATETIME}$")
_ISO_CYCLE = re.compile(rf"^R\d*/(?:(?:{_DATETIME})/{_DURATION}|{_DURATION}(?:/{_DATETIME})?)$")
# Plain values a designer meant as ISO 8601 (not a variable name), even if mistyped.
_ISO_ATTEMPT = re.compile(r"^(?:P\d|PT\d|R\d*/|\d{4}-\d)")
_CRON = re.compile(r"^\S+(\s+\S+){4,6}$")


FEEL_PREFIX = "="


def is_feel(text: str | None) -> bool:
    """Return True when the text is a FEEL expression in Camunda 8's form, `=` followed by FEEL."""
    return text is not None and text.lstrip().startswith(FEEL_PREFIX)


def is_feel_language(language: str | None) -> bool:
    """Return True for language="feel" (Camunda 7 Modeler) or an OMG FEEL namespace."""
    return language is not None and "feel" in language.lower()


def feel_syntax_problem(text: str) -> str | None:
    """Return a German message when the FEEL text does not parse, else None (the parse is cached)."""
    if not text.strip():
        return "Der Ausdruck ist leer."
    problem = feel_problem(text.strip(), "expression")
    return None if problem is None else f"»{text.strip()}« ist kein gültiges FEEL ({problem})."


def to_feel(text: str) -> str:
    """Return FEEL text in the `=` form kimflow's script engine evaluates; raise ExpressionError if invalid."""
    body = text.strip()
    body = body[len(FEEL_PREFIX):].strip() if body.startswith(FEEL_PREFIX) else body
    problem = feel_syntax_problem(body)
    if problem:
        raise ExpressionError(problem)
    return FEEL_PREFIX + body


def is_juel(text: str | None) -> bool:
    """Return True when the text contains a JUEL `${...}` or `#{...}` part."""
    return text is not None and _TEMPLATE.search(text) is not None


def _split_template(text: str) -> list[tuple[bool, str]]:
    """Split 'a ${b} c' into [(False, 'a '), (True, 'b'), (False, ' c')], honouring quotes inside `{}`."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    while (match := _TEMPLATE.search(text, pos)) is not None:
        if match.start() > pos:
            parts.append((False, text[pos:match.start()]))
        end = _closing_brace(text, match.end())
        if end < 0:
            raise ExpressionError(f"Im Ausdruck »{text}« fehlt die schließende Klammer »}}«.")
        parts.append((True, text[match.end():end]))
        pos = end + 1
    if pos < len(text):
        parts.append((False, text[pos:]))
    return parts


def _closing_brace(text: str, start: int) -> int:
    quote: str | None = None
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def juel_to_python(text: str, *, marked: bool = True) -> str:
    """Translate a JUEL expression (or template) to Python marked for EL semantics; other text is unchanged."""
    if not is_juel(text):
        return text
    parts = _split_template(text.strip())
    try:
        if len(parts) == 1 and parts[0][0]:
            python = juel_to_python_expr(parts[0][1])
        else:
            pieces = [f"str({juel_to_python_expr(body)})" if is_expr else repr(body) for is_expr, body in parts]
            python = f"''.join(({', '.join(pieces)},))"
    except ValueError as exc:
        raise ExpressionError(f"Der Ausdruck »{text.strip()}« ist ungültig: {exc}") from None
    return python + EL_MARKER if marked else python


def to_python_expression(text: str | None) -> str | None:
    """Translate a condition or value expression written in JUEL or Python to Python source."""
    return None if text is None else juel_to_python(text)


def compile_problem(python_source: str | None, original: str | None = None) -> str | None:
    """Return a German message when the Python expression does not compile, else None."""
    if python_source is None or not python_source.strip():
        return "Der Ausdruck ist leer."
    try:
        compile(python_source.strip(), "<ausdruck>", "eval")
    except SyntaxError as exc:
        shown = (original or python_source).strip()
        return f"Der Ausdruck »{shown}« ist kein gültiger Ausdruck ({exc.msg})."
    return None


def iso_timer_kind(text: str) -> str | None:
    """Return 'duration', 'date' or 'cycle' when the text is a plain ISO 8601 timer value."""
    value = text.strip()
    if _ISO_DURATION.match(value):
        return "duration"
    if _ISO_DATETIME.match(value):
        return "date"
    if _ISO_CYCLE.match(value):
        return "cycle"
    return None


def timer_to_python(text: str | None) -> str | None:
    """Translate a timer value: plain ISO 8601 becomes a string literal, JUEL becomes Python."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return value
    if is_juel(value):
        return juel_to_python(value)
    if iso_timer_kind(value) is not None:
        return repr(value)
    if _ISO_ATTEMPT.match(value):
        raise ExpressionError(f"Der Zeitwert »{value}« ist kein gültiger ISO-8601-Wert; erwartet wird "
                              "z. B. P14D, PT1H, 2027-01-31T12:00:00Z oder R3/PT1H.")
    if _CRON.match(value) and not _looks_like_python(value):
        raise ExpressionError(f"Der Zeitplan »{value}« ist ein Cron-Ausdruck; unterstützt werden nur "
                              "ISO-8601-Werte wie P14D, 2027-01-31T12:00:00Z oder R3/PT1H.")
    return value


def _looks_like_python(value: str) -> bool:
    try:
        ast.parse(value, mode="eval")
    except SyntaxError:
        return False
    return True


def check_timer_literal(python: str, kind: str) -> str | None:
    """Return a German message when a constant timer value is not valid ISO 8601 for its kind."""
    try:
        value = ast.literal_eval(python.strip())
    except (ValueError, SyntaxError):
        return None  # not a constant: evaluated at run time
    if not isinstance(value, str):
        return f"Der Zeitwert {python.strip()} ist kein Text im ISO-8601-Format."
    expected = {"timeDuration": ("duration",), "timeDate": ("date",), "timeCycle": ("cycle", "duration")}
    found = iso_timer_kind(value)
    if found is None or found not in expected.get(kind, (found,)):
        examples = {"timeDuration": "P14D oder PT1H", "timeDate": "2027-01-31T12:00:00Z",
                    "timeCycle": "R3/PT1H"}.get(kind, "P14D")
        return f"Der Zeitwert »{value}« ist für diesen Timer ungültig; erwartet wird z. B. {examples}."
    return None
