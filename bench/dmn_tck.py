"""Run the DMN TCK (compliance levels 2 and 3) on kimflow's decision engine, without the rest of kimflow.

    .venv/bin/python bench/dmn_tck.py [--corpus DIR] [-v] [-k FILTER]

Prints pass / wrong / error per case, then per feature (TCK folder) and per level, and exits 1 when a
target is missed: level 2 every case, level 3 at least 90% of the checks. Expected values are only read
to compare; the engine never sees them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

# Load engine/decision as a top-level package: it needs lark and lxml only, not kimflow's engine.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

from decision import load_models  # noqa: E402
from decision.temporal import parse_date, parse_datetime, parse_duration, parse_time  # noqa: E402
from decision.values import YMDuration, feel_equal  # noqa: E402

# $KIMFLOW_DMN_TCK, else shared/ beside the checkout, else the workplace's shared folder.
CORPUS = next((Path(c) for c in (os.environ.get("KIMFLOW_DMN_TCK", ""),
                                 Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dmn-tck",
                                 "/work/shared/corpora/dmn-tck") if c and Path(c).is_dir()),
              Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dmn-tck")
LEVELS = ("compliance-level-2", "compliance-level-3")
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
_NUMERIC = ("decimal", "double", "integer", "int", "long", "float")
_TEMPORAL = {"date": parse_date, "dateTime": parse_datetime, "time": parse_time, "duration": parse_duration}


def _local(element) -> str:
    return etree.QName(element).localname


def _kids(element, name: str) -> list:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def parse_value(element):
    """Turn a TCK <value>, <list> or <component> holder into a FEEL value."""
    components, lists, values = _kids(element, "component"), _kids(element, "list"), _kids(element, "value")
    if components:
        return {c.get("name"): parse_value(c) for c in components}
    if lists:
        return [parse_value(item) for item in _kids(lists[0], "item")]
    return _typed(values[0]) if values else None


def _typed(value):
    if value.get(XSI + "nil") == "true":
        return None
    if _kids(value, "component") or _kids(value, "list"):
        return parse_value(value)
    text = (value.text or "").strip()
    xtype = (value.get(XSI + "type") or "").split(":")[-1]
    if xtype in _NUMERIC:
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    if xtype == "boolean":
        return text == "true"
    if xtype in _TEMPORAL:
        return _TEMPORAL[xtype](text)
    return value.text or ""


def _same_number(expected: Decimal, actual: Decimal) -> bool:
    if expected == actual:
        return True
    # Expected values written with fewer digits than FEEL's 34: compare at the expected value's precision.
    exponent = expected.as_tuple().exponent
    if isinstance(exponent, int) and exponent > actual.as_tuple().exponent:
        if actual.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN) == expected:
            return True
    # A few expected values of the suite were computed in binary floating point: allow a relative 1e-10.
    return abs(expected - actual) <= Decimal("1e-10") * abs(expected)


def same(expected, actual) -> bool:  # noqa: PLR0911 -- one branch per value kind
    """Compare an expected TCK value with an engine result."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            same(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and set(expected) == set(actual) and all(
            same(expected[k], actual[k]) for k in expected)
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        return _same_number(expected, actual)
    if isinstance(expected, dt.timedelta | YMDuration) and isinstance(actual, dt.timedelta | YMDuration):
        return feel_equal(expected, actual) is True
    if isinstance(expected, dt.time | dt.datetime) and type(expected) is type(actual):
        return (expected.tzinfo is None) == (actual.tzinfo is None) and feel_equal(expected, actual) is True
    return type(expected) is type(actual) and expected == actual


@dataclass
class Tally:
    """Cases and checks counted by outcome."""

    cases: dict = field(default_factory=lambda: {"pass": 0, "wrong": 0, "error": 0})
    checks: int = 0
    checks_passed: int = 0

    def add(self, other: Tally) -> None:
        for key, count in other.cases.items():
            self.cases[key] += count
        self.checks += other.checks
        self.checks_passed += other.checks_passed

    def line(self) -> str:
        total = sum(self.cases.values())
        share = 100 * self.checks_passed / self.checks if self.checks else 0.0
        return (f"cases {self.cases['pass']}/{total} pass, {self.cases['wrong']} wrong, {self.cases['error']} error; "
                f"checks {self.checks_passed}/{self.checks} ({share:.1f} %)")


def run_case(models, case) -> list[tuple[str, bool, str]]:
    """Evaluate one testCase; return (result node, ok, detail) per expected result."""
    inputs = {}
    for node in _kids(case, "inputNode"):
        name = node.get("name")
        inputs["{" + node.get("namespace") + "}" + name if node.get("namespace") else name] = parse_value(node)
    checks = []
    for node in _kids(case, "resultNode"):
        expected_nodes = _kids(node, "expected")
        expected = parse_value(expected_nodes[0]) if expected_nodes else None
        if case.get("type") == "decisionService":
            result = models.evaluate_service(case.get("invocableName"), inputs)
            value = result.value
            if isinstance(value, dict) and node.get("name") in value and not isinstance(expected, dict):
                value = value[node.get("name")]
        else:
            result = models.evaluate_decision(node.get("name"), inputs)
            value = result.value
        checks.append((node.get("name"), same(expected, value), f"expected {expected!r}, got {value!r}"))
    return checks


def _load(folder: Path, test_file: Path, root):
    sources = {p.name: p.read_bytes() for p in sorted(folder.glob("*.dmn"))}
    main = (_kids(root, "modelName") or [None])[0]
    ordered = [sources[main.text]] if main is not None and main.text in sources else []
    ordered += [s for n, s in sources.items() if main is None or n != main.text]
    return load_models(ordered)


def run_folder(folder: Path, verbose: bool = False, out=print) -> Tally:
    """Run every test file of one TCK folder (one feature) and print each case's outcome."""
    tally = Tally()
    for test_file in sorted(folder.glob("*-test-*.xml")):
        root = etree.fromstring(test_file.read_bytes(), _PARSER)
        try:
            models = _load(folder, test_file, root)
        except Exception as exc:  # a model that does not load counts each of its cases as an error
            models, load_error = None, exc
        for case in _kids(root, "testCase"):
            try:
                if models is None:
                    raise load_error
                checks = run_case(models, case)
                status = "pass" if all(ok for _, ok, _ in checks) else "wrong"
            except Exception:  # the engine must not raise; count it as an error
                checks = [(n.get("name"), False, traceback.format_exc(limit=2)) for n in _kids(case, "resultNode")]
                status = "error"
            tally.cases[status] += 1
            tally.checks += len(checks)
            tally.checks_passed += sum(ok for _, ok, _ in checks)
            out(f"{status.upper():5} {folder.name} {case.get('id')}")
            if verbose and status != "pass":
                for name, ok, detail in checks:
                    if not ok:
                        out(f"      {name}: {detail}"[:400])
    return tally


def run_level(corpus: Path, level: str, verbose: bool = False, only: str = "", out=print) -> Tally:
    """Run one compliance level, printing every case and a line per feature."""
    total = Tally()
    features = []
    for folder in sorted(p for p in (corpus / level).iterdir() if p.is_dir() and only in p.name):
        tally = run_folder(folder, verbose, out)
        features.append((folder.name, tally))
        total.add(tally)
    out(f"-- {level} per feature")
    for name, tally in features:
        out(f"   {name}: {tally.line()}")
    out(f"== {level}: {total.line()}")
    return total


def meets_targets(level2: Tally, level3: Tally) -> bool:
    """Tell whether level 2 passes every case and level 3 at least 90% of its checks."""
    every_case = level2.cases["wrong"] == level2.cases["error"] == 0 and level2.cases["pass"] > 0
    return every_case and level3.checks > 0 and level3.checks_passed >= 0.9 * level3.checks


def main(argv=None) -> int:
    """Run both levels and report whether the targets are met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("-v", "--verbose", action="store_true", help="show details of failing checks")
    parser.add_argument("-k", "--filter", default="", help="only features whose folder name contains this")
    args = parser.parse_args(argv)
    tallies = [run_level(args.corpus, level, args.verbose, args.filter) for level in LEVELS]
    ok = meets_targets(*tallies)
    print("targets (level 2: every case; level 3: >= 90 % of checks):", "met" if ok else "MISSED")
    return 0 if ok or args.filter else 1


if __name__ == "__main__":
    sys.exit(main())
