"""Checks on DMN files for what SpiffWorkflow's DMN parser supports or crashes on."""

from __future__ import annotations

from lxml import etree

from engine.core.errors import Problem

_HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "COLLECT")
_NEED_IDS = ("decision", "decisionTable", "input", "output", "rule", "inputEntry", "outputEntry")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


class _DmnChecker:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, element: etree._Element, message: str) -> None:
        owner = next((node.get("id") for node in (element, *element.iterancestors()) if node.get("id")), None)
        self.problems.append(Problem(message, file=self.filename, element_id=owner, line=element.sourceline))

    def document(self, root: etree._Element) -> None:
        decisions = _children(root, "decision")
        if not decisions:
            self.problems.append(Problem("Die DMN-Datei enthält keine Entscheidung.", file=self.filename))
        if len(decisions) > 1:
            self.add(decisions[1], f"Die DMN-Datei enthält {len(decisions)} Entscheidungen; unterstützt wird "
                                   "genau eine Entscheidungstabelle pro Datei (keine DRDs).")
        for element in root.iter():
            if _local(element) in _NEED_IDS and not element.get("id"):
                self.add(element, f"Dem Element »{_local(element)}« fehlt die ID.")
        for decision in decisions[:1]:
            tables = _children(decision, "decisionTable")
            if len(tables) != 1:
                self.add(decision, "Die Entscheidung muss genau eine Entscheidungstabelle haben.")
            else:
                self.table(tables[0])

    def table(self, table: etree._Element) -> None:
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        if policy not in _HIT_POLICIES or table.get("aggregation"):
            shown = f"{policy} {table.get('aggregation') or ''}".strip()
            self.add(table, f"Die Trefferrichtlinie »{shown}« wird nicht unterstützt "
                            "(erlaubt: UNIQUE, FIRST, ANY, COLLECT ohne Aggregation).")
        inputs, outputs = len(_children(table, "input")), len(_children(table, "output"))
        for rule in _children(table, "rule"):
            entries = _children(rule, "inputEntry") + _children(rule, "outputEntry")
            if len(_children(rule, "inputEntry")) != inputs or len(_children(rule, "outputEntry")) != outputs:
                self.add(rule, f"Die Regel hat nicht genau {inputs} Eingabe- und {outputs} Ausgabezellen.")
            for entry in entries:
                if not _children(entry, "text"):
                    self.add(entry, "Der Zelle fehlt ihr Text (<text>); für »beliebig« bitte »-« eintragen.")


def check_dmn(root: etree._Element, filename: str) -> list[Problem]:
    """Return problems of one DMN document: DRDs, missing ids, hit policies, malformed rules."""
    checker = _DmnChecker(filename)
    checker.document(root)
    return checker.problems
