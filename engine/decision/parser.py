"""Parse FEEL text into a small tuple AST, resolving multi-word names against known names."""

import re
from decimal import Decimal
from functools import lru_cache

from lark import Lark, Transformer, v_args

from .grammar import FEEL_GRAMMAR

KEYWORDS = frozenset(
    "and or in if then else for return some every satisfies between true false null function external".split()
)
# Built-in names that the NAME+ rule cannot read (they contain a keyword).
SPECIAL_BUILTINS = ("date and time", "years and months duration", "days and time duration", "get or else")
_SIMPLE_NAME = re.compile(r"[^\W\d]\w*(?: [^\W\d]\w*)*\Z")
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.S)

_parser = Lark(FEEL_GRAMMAR, parser="lalr", start=["start_expr", "start_tests"], maybe_placeholders=True)


class FeelSyntaxError(Exception):
    """Raised when FEEL text does not parse."""


def normalize_name(name: str) -> str:
    """Collapse whitespace inside a name so lookups are spacing-insensitive."""
    return " ".join(name.split())


def needs_mangling(name: str) -> bool:
    """Tell whether a name cannot be read by the plain NAME+ rule."""
    if not _SIMPLE_NAME.match(name):
        return True
    return any(word in KEYWORDS for word in name.split(" "))


def _mangle(text: str, names: tuple) -> tuple[str, dict]:
    """Replace known special names outside strings with placeholder identifiers."""
    if not names:
        return text, {}
    ordered = sorted(names, key=len, reverse=True)
    pattern = re.compile(
        "|".join(r"(?<![\w])" + r"\s+".join(re.escape(p) for p in n.split(" ")) + r"(?![\w])" for n in ordered)
    )
    table: dict = {}
    lookup = {n: n for n in ordered}

    def repl(match):
        found = normalize_name(match.group(0))
        key = f"__kn{len(table)}_"
        table[key] = lookup.get(found, found)
        return key

    out, pos = [], 0
    for m in _STRING_OR_COMMENT.finditer(text):
        out.append(pattern.sub(repl, text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(pattern.sub(repl, text[pos:]))
    return "".join(out), table


def _unescape(raw: str) -> str:
    """Decode FEEL string escapes (\\n, \\t, \\uXXXX, \\UXXXXXX, \\", \\\\)."""
    body = raw[1:-1]

    def repl(m):
        s = m.group(0)
        c = s[1]
        if c == "u":
            return chr(int(s[2:6], 16))
        if c == "U":
            return chr(int(s[2:8], 16))
        return {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}.get(c, s)

    text = re.sub(r"\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{6}|\\.", repl, body)
    # Surrogate pairs written as two \u escapes become one character.
    return text.encode("utf-16", "surrogatepass").decode("utf-16")


@v_args(inline=True)
class _ToAst(Transformer):
    """Turn the lark tree into tuples (tag, ...)."""

    def __init__(self, table):
        super().__init__()
        self.table = table

    def name(self, *tokens):
        words = [self.table.get(str(t), str(t)) for t in tokens]
        return " ".join(words)

    def start_expr(self, e):
        return e

    def ut_any(self):
        return ("ut_any",)

    def ut_list(self, *items):
        return ("ut_list", list(items))

    def ut_cmp(self, op, e):
        return ("ut_cmp", op, e)

    def ut_expr(self, e):
        return ("ut_expr", e)

    def cmp_op(self, tok):
        return str(tok)

    def number(self, tok):
        return ("lit", Decimal(str(tok)))

    def string(self, tok):
        return ("lit", _unescape(str(tok)))

    def true(self):
        return ("lit", True)

    def false(self):
        return ("lit", False)

    def null(self):
        return ("lit", None)

    def at_literal(self, tok):
        return ("at", _unescape(str(tok)))

    def var(self, name):
        return ("var", name)

    def qmark(self):
        return ("var", "?")

    def cmp_range(self, op, e):
        return ("cmp_range", op, e)

    def list(self, *items):
        return ("list", [i for i in items if i is not None])

    def context(self, *entries):
        return ("context", [e for e in entries if e is not None])

    def ctx_entry(self, key, value):
        return (key, value)

    def str_key(self, tok):
        return _unescape(str(tok))

    def interval(self, open_tok, start, _dots, end, close_tok):
        return ("interval", str(open_tok) == "[", start, end, str(close_tok) == "]")

    def for_expr(self, *parts):
        return ("for", list(parts[:-1]), parts[-1])

    def iter_range(self, name, a, b):
        return (name, ("range_iter", a, b))

    def iter_list(self, name, e):
        return (name, e)

    def q_iter(self, name, e):
        return (name, e)

    def if_expr(self, c, t, e):
        return ("if", c, t, e)

    def quant_expr(self, q, *parts):
        return ("quant", str(q), list(parts[:-1]), parts[-1])

    def func_def(self, params, external, body):
        return ("funcdef", params or [], body, external is not None)

    def params(self, *ps):
        return list(ps)

    def param(self, name, typ):
        return (name, typ)

    def or_(self, a, b):
        return ("or", a, b)

    def and_(self, a, b):
        return ("and", a, b)

    def compare(self, a, op, b):
        return ("cmp", op, a, b)

    def between(self, v, lo, hi):
        return ("between", v, lo, hi)

    def in_one(self, v, test):
        return ("in", v, [test])

    def in_many(self, v, *tests):
        return ("in", v, list(tests))

    def instance_of(self, v, _tok, typ):
        return ("instance", v, typ)

    def add(self, a, b):
        return ("arith", "+", a, b)

    def sub(self, a, b):
        return ("arith", "-", a, b)

    def mul(self, a, b):
        return ("arith", "*", a, b)

    def div(self, a, b):
        return ("arith", "/", a, b)

    def pow(self, a, b):
        return ("arith", "**", a, b)

    def neg(self, a):
        if a[0] == "lit" and isinstance(a[1], Decimal):
            return ("lit", -a[1])
        return ("neg", a)

    def filter(self, target, cond):
        return ("filter", target, cond)

    def path(self, target, name):
        return ("path", target, name)

    def call(self, fn, args):
        return ("call", fn, args or ("pos", []))

    def pos_args(self, *items):
        return ("pos", list(items))

    def named_args(self, *items):
        return ("named", list(items))

    def named_arg(self, name, e):
        return (name, e)

    def simple_type(self, name):
        return ("type", name, [])

    def generic_type(self, name, *args):
        return ("type", name, list(args))

    def context_type(self, name, *fields):
        return ("type", "context", list(fields))

    def function_type(self, *parts):
        return ("type", "function", [p for p in parts if p is not None])

    def type_field(self, name, typ):
        return (name, typ)


_NOT_TESTS = re.compile(r"\s*not\s*\((.*)\)\s*\Z", re.S)


def _balanced(text: str) -> bool:
    """Tell whether parentheses outside strings balance, so not(...) wraps the whole text."""
    depth = 0
    stripped = _STRING_OR_COMMENT.sub('""', text)
    for ch in stripped:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


@lru_cache(maxsize=8192)
def parse(text: str, kind: str = "expression", names: tuple = ()) -> tuple:
    """Parse FEEL text ('expression' or 'unary') into an AST; names are known multi-word names."""
    special = tuple(n for n in set(names) | set(SPECIAL_BUILTINS) if needs_mangling(n))
    if kind == "unary":
        m = _NOT_TESTS.match(text)
        if m and _balanced(m.group(1)):
            return ("ut_not", parse(m.group(1), "unary", names))
        if not text.strip():
            return ("ut_any",)
    source, table = _mangle(text, special)
    start = "start_tests" if kind == "unary" else "start_expr"
    try:
        tree = _parser.parse(source, start=start)
    except Exception as exc:  # lark raises several error types
        raise FeelSyntaxError(f"cannot parse FEEL {text!r}: {exc}") from None
    return _ToAst(table).transform(tree)

