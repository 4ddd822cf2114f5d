"""Combine matched decision-table rules according to the hit policy."""

from decimal import Decimal

from .builtins.lists import max_, min_
from .builtins.numeric import sum_
from .values import feel_equal


def _priority(outputs_values, row) -> tuple:
    """Sort key: the position of each output among its output values (unlisted last)."""
    key = []
    for allowed, v in zip(outputs_values, row, strict=False):
        if not allowed:
            key.append(0)
            continue
        idx = next((i for i, a in enumerate(allowed) if feel_equal(a, v) is True), len(allowed))
        key.append(idx)
    return tuple(key)


def apply_hit_policy(policy, aggregation, matched, output_values, env):  # noqa: C901, PLR0911 -- one branch per FEEL type or AST tag, as the spec's tables list them
    """Return (result rows list, is_list) for the matched output rows [(rule index, [values])]."""
    policy = policy.replace("_", " ")
    rows = [vals for _, vals in matched]
    if policy in ("UNIQUE", "U"):
        if len(rows) > 1:
            env.warn("UNIQUE hit policy: more than one rule matched")
            return None, False
        return rows, False
    if policy in ("FIRST", "F"):
        return rows[:1], False
    if policy in ("ANY", "A"):
        if any(any(feel_equal(a, b) is not True for a, b in zip(rows[0], r, strict=False)) for r in rows[1:]):
            env.warn("ANY hit policy: matched rules disagree")
            return None, False
        return rows[:1], False
    if policy in ("PRIORITY", "P"):
        return sorted(rows, key=lambda r: _priority(output_values, r))[:1], False
    if policy in ("OUTPUT ORDER", "O"):
        return sorted(rows, key=lambda r: _priority(output_values, r)), True
    if policy in ("RULE ORDER", "R"):
        return rows, True
    if policy in ("COLLECT", "C"):
        return rows, True
    env.warn(f"unknown hit policy {policy}")
    return None, False


def aggregate(aggregation, values, env):
    """Apply a COLLECT aggregator (SUM, MIN, MAX, COUNT) to single-output values."""
    if aggregation == "COUNT":
        return Decimal(len(values))
    if not values:
        return None
    func = {"SUM": sum_, "MIN": min_, "MAX": max_}.get(aggregation)
    if func is None:
        env.warn(f"unknown aggregation {aggregation}")
        return None
    return func(values)
