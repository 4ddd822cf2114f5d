"""Checks on DMN files at deploy: structure, hit policies and the FEEL syntax of every cell, in German."""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from engine.core.errors import Problem
from engine.decision import compile as feel_compile
from engine.decision.dmn_model import parse_definitions
from engine.decision.parser import FeelSyntaxError, parse

_HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
_AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
_NEED_IDS = ("decision",)  # kimflow finds decisions by id; tables, rules and cells need none
_UNEXPECTED = re.compile(r"Unexpected token Token\('([^']*)', '((?:[^'\\]|\\.)*)'\) at line \d+, column (\d+)")
_NO_TERMINAL = re.compile(r"No terminal matches '(.)' .*? at line \d+ col (\d+)", re.DOTALL)
# FEEL `for` over a number range builds every value in the app process: bound it at deploy.
MAX_FEEL_ITERATIONS = 10_000
_UNBOUNDED_LOOP = (f"eine Schleife über einen Zahlenbereich braucht feste Grenzen und darf höchstens "
                   f"{MAX_FEEL_ITERATIONS} Durchläufe haben (auch verschachtelt)")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _text_of(element: etree._Element) -> str | None:
    texts = _children(element, "text")
    return texts[0].text if texts else None


def _range_size(domain: tuple) -> int | None:
    """Return how many values a `for` domain yields: 1 for lists (bounded by the data), None if unbounded."""
    if domain[0] == "range_iter":
        bounds = domain[1:3]
    elif domain[0] == "interval":
        bounds = (domain[2], domain[3])
    else:
        return 1
    if not all(isinstance(b, tuple) and b[0] == "lit" and isinstance(b[1], Decimal) for b in bounds):
        return None
    return int(abs(bounds[1][1] - bounds[0][1])) + 1


def _unbounded_iteration(node: object, budget: int = 1) -> bool:
    """Tell whether a FEEL parse tree iterates over an unbounded or too large number range."""
    if isinstance(node, list):
        return any(_unbounded_iteration(item, budget) for item in node)
    if not isinstance(node, tuple):
        return False
    if node and node[0] == "for":
        for _name, domain in node[1]:
            size = _range_size(domain)
            if size is None or budget * size > MAX_FEEL_ITERATIONS:
                return True
            budget *= size
    return any(_unbounded_iteration(child, budget) for child in node[1:])


def feel_problem(text: str, kind: str, names: tuple = ()) -> str | None:
    """Return a German description of a FEEL syntax error or unbounded loop in text, or None when it is fine."""
    error = feel_compile(text, kind, names).error
    if error is None:
        return _UNBOUNDED_LOOP if "for" in text and _loops_unbounded(text, kind, names) else None
    match = _UNEXPECTED.search(error)
    if match and match.group(1) == "$END":
        return "der Ausdruck endet unerwartet (fehlt eine Klammer oder ein Wert?)"
    if match:
        return f"unerwartetes »{match.group(2)}« an Position {match.group(3)}"
    match = _NO_TERMINAL.search(error)
    if match:
        return f"unerwartetes Zeichen »{match.group(1)}« an Position {match.group(2)}"
    return "der Ausdruck ist kein gültiges FEEL"


def _loops_unbounded(text: str, kind: str, names: tuple) -> bool:
    try:
        return _unbounded_iteration(parse(text, kind, names))
    except (FeelSyntaxError, RecursionError):
        return False  # compile() reported no error, so this does not happen; the runtime copes either way


class _DmnChecker:
    def __init__(self, filename: str, names: tuple):
        self.filename = filename
        self.names = names
        self.problems: list[Problem] = []

    def add(self, element: etree._Element, message: str) -> None:
        owner = next((node.get("id") for node in (element, *element.iterancestors()) if node.get("id")), None)
        self.problems.append(Problem(message, file=self.filename, element_id=owner, line=element.sourceline))

    def feel(self, element: etree._Element | None, kind: str, where: str, allow_empty: bool = False) -> None:
        """Report a FEEL syntax error in the <text> of element, naming where it sits."""
        if element is None:
            return
        text = _text_of(element)
        if text is None or not text.strip():
            if not allow_empty:
                self.add(element, f"{where}: Der Ausdruck ist leer.")
            return
        problem = feel_problem(text, kind, self.names)
        if problem:
            self.add(element, f"{where}: »{text.strip()}« ist kein gültiges FEEL ({problem}).")

    def document(self, root: etree._Element) -> None:
        decisions = _children(root, "decision")
        if not decisions:
            self.problems.append(Problem("Die DMN-Datei enthält keine Entscheidung.", file=self.filename))
        for element in root.iter():
            if _local(element) in _NEED_IDS and not element.get("id"):
                self.add(element, f"Dem Element »{_local(element)}« fehlt die ID.")
        for decision in decisions:
            self.decision(decision)
        for bkm in _children(root, "businessKnowledgeModel"):
            label = f"Wissensmodell »{bkm.get('name') or bkm.get('id')}«"
            for literal in bkm.iter("{*}literalExpression"):
                self.feel(literal, "expression", label)

    def decision(self, decision: etree._Element) -> None:
        label = f"Entscheidung »{decision.get('name') or decision.get('id')}«"
        tables = _children(decision, "decisionTable")
        literals = _children(decision, "literalExpression")
        if tables:
            self.table(tables[0], label)
        elif literals:
            self.feel(literals[0], "expression", f"{label}, Ausdruck")
        elif not any(isinstance(child.tag, str) and _local(child) in ("context", "invocation", "relation", "list",
                                                                      "functionDefinition", "conditional")
                     for child in decision):
            self.add(decision, f"{label} hat weder eine Entscheidungstabelle noch einen Ausdruck.")

    def table(self, table: etree._Element, label: str) -> None:
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        aggregation = (table.get("aggregation") or "").upper()
        if policy not in _HIT_POLICIES or (aggregation and (policy != "COLLECT" or aggregation not in _AGGREGATIONS)):
            shown = f"{policy} {aggregation}".strip()
            self.add(table, f"{label}: Die Trefferrichtlinie »{shown}« gibt es nicht (erlaubt: "
                            f"{', '.join(_HIT_POLICIES)}; COLLECT auch mit SUM, MIN, MAX oder COUNT).")
        inputs, outputs = _children(table, "input"), _children(table, "output")
        columns = [f"»{i.get('label') or _text_of(_children(i, 'inputExpression')[0]) or i.get('id')}«"
                   if _children(i, "inputExpression") else f"»{i.get('label') or i.get('id')}«" for i in inputs]
        out_columns = [f"»{o.get('label') or o.get('name') or o.get('id')}«" for o in outputs]
        for column, element in zip(columns, inputs, strict=True):
            expression = _children(element, "inputExpression")
            self.feel(expression[0] if expression else None, "expression", f"{label}, Eingabespalte {column}")
            for values in _children(element, "inputValues"):
                self.feel(values, "unary", f"{label}, erlaubte Werte der Spalte {column}", allow_empty=True)
        for column, element in zip(out_columns, outputs, strict=True):
            for default in _children(element, "defaultOutputEntry"):
                self.feel(default, "expression", f"{label}, Vorgabewert der Spalte {column}", allow_empty=True)
        for number, rule in enumerate(_children(table, "rule"), start=1):
            self.rule(rule, f"{label}, Regel {number}", columns, out_columns)

    def rule(self, rule: etree._Element, where: str, columns: list[str], out_columns: list[str]) -> None:
        entries, results = _children(rule, "inputEntry"), _children(rule, "outputEntry")
        if len(entries) != len(columns) or len(results) != len(out_columns):
            self.add(rule, f"{where}: Die Regel hat nicht genau {len(columns)} Eingabe- und {len(out_columns)} "
                           "Ausgabezellen.")
            return
        for entry, column in zip(entries, columns, strict=True):
            if not _children(entry, "text"):
                self.add(entry, f"{where}, Spalte {column}: Der Zelle fehlt ihr Text; für »beliebig« bitte »-« "
                                "eintragen.")
            else:
                self.feel(entry, "unary", f"{where}, Spalte {column}", allow_empty=True)
        for entry, column in zip(results, out_columns, strict=True):
            self.feel(entry, "expression", f"{where}, Spalte {column}", allow_empty=True)


def _known_names(root: etree._Element) -> tuple:
    """Return the multi-word and special names the document defines, so FEEL can read them."""
    try:
        definitions = parse_definitions(etree.tostring(root))
    except Exception:  # a broken document is reported by the structural checks
        return ()
    return tuple(sorted(name for name in definitions.names if name))


def check_dmn(root: etree._Element, filename: str) -> list[Problem]:
    """Return problems of one DMN document: missing ids, hit policies, malformed rules, FEEL syntax errors."""
    checker = _DmnChecker(filename, _known_names(root))
    checker.document(root)
    return checker.problems
