"""Camunda's view of a decision result: a list of rows (output name -> value) and mapDecisionResult."""

from .plain import to_plain

SINGLE_HIT = ("UNIQUE", "FIRST", "PRIORITY", "ANY")
MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


class ResultMappingError(ValueError):
    """The decision result does not fit the business-rule task's mapDecisionResult."""


def output_names(element) -> list[str]:
    """Return the keys a decision's rows use: table output names, an unnamed single output as the decision id."""
    expression = element.expression
    if expression and expression[0] == "dt":
        names = [output["name"] for output in expression[1]["outputs"]]
        if len(names) == 1 and not names[0]:
            return [element.id]
        return [name or f"output{i + 1}" for i, name in enumerate(names)]
    return [element.id]


def is_multi_hit(element) -> bool:
    """Tell whether a decision's table returns one result per matched rule (COLLECT, RULE/OUTPUT ORDER)."""
    expression = element.expression
    if not expression or expression[0] != "dt":
        return False
    table = expression[1]
    return table["hit_policy"] not in SINGLE_HIT and not table["aggregation"]


def _row(value, names: list[str]) -> dict:
    if len(names) == 1:
        if isinstance(value, dict) and set(value) == set(names):
            value = value[names[0]]
        return {names[0]: to_plain(value)}
    if isinstance(value, dict):
        return {name: to_plain(value.get(name)) for name in names}
    return {names[0]: to_plain(value)}


def rows_of(element, value) -> list[dict]:
    """Turn a decision's DMN value into Camunda's result rows (one per matched rule)."""
    names = output_names(element)
    if is_multi_hit(element):
        return [_row(item, names) for item in (value or [])]
    if value is None and element.expression and element.expression[0] == "dt":
        return []
    return [_row(value, names)]


def merged(rows: list[dict], names: list[str], multi_hit: bool = False) -> dict:
    """Return the process variables without a result variable: outputs by name, lists for multi-hit tables."""
    if not multi_hit and not rows:
        return dict.fromkeys(names)
    if not multi_hit and len(rows) == 1:
        return dict(rows[0])
    return {name: [row.get(name) for row in rows] for name in names}


def map_result(rows: list[dict], mapping: str | None):
    """Apply camunda:mapDecisionResult (default resultList) to the rows."""
    mapping = mapping or "resultList"
    if mapping == "resultList":
        return rows
    if mapping == "collectEntries":
        if any(len(row) > 1 for row in rows):
            raise ResultMappingError("collectEntries verlangt genau eine Ausgabe je Regel")
        return [next(iter(row.values())) for row in rows]
    if len(rows) > 1:
        raise ResultMappingError(f"{mapping} verlangt höchstens ein Ergebnis, es trafen {len(rows)} Regeln zu")
    if mapping == "singleResult":
        return rows[0] if rows else None
    if mapping == "singleEntry":
        if rows and len(rows[0]) > 1:
            raise ResultMappingError("singleEntry verlangt genau eine Ausgabe")
        return next(iter(rows[0].values())) if rows else None
    raise ResultMappingError(f"unbekannte Abbildung »{mapping}« (erlaubt: {', '.join(MAPPINGS)})")
