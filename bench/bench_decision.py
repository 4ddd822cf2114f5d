"""Time a 20-rule, 4-input decision table on kimflow's decision engine and print the median with its ratio.

    .venv/bin/python bench/bench_decision.py [--runs N]

Target: median <= 0.2 ms per evaluation. Everything is compiled when the model loads; the timed loop
only evaluates (it also checks that nothing is parsed per evaluation: the FEEL compile cache stays put).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

from decision import load_models  # noqa: E402
from decision.feel import compile as feel_compile  # noqa: E402

NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
INPUTS = [("Age", "number"), ("Income", "number"), ("Category", "string"), ("Member", "boolean")]
TARGET_MS = 0.2


def build_model() -> str:
    """Build a UNIQUE table of 20 rules over 4 inputs (ranges, comparisons, string lists, booleans)."""
    data = "".join(f'<inputData id="i{k}" name="{n}"><variable name="{n}" typeRef="{t}"/></inputData>'
                   for k, (n, t) in enumerate(INPUTS))
    needs = "".join(f'<informationRequirement><requiredInput href="#i{k}"/></informationRequirement>'
                    for k in range(len(INPUTS)))
    columns = "".join(f'<input><inputExpression typeRef="{t}"><text>{n}</text></inputExpression></input>'
                      for n, t in INPUTS)
    rules = []
    for r in range(20):
        cells = [f"[{r * 5}..{r * 5 + 4}]", f">= {r * 100}", '"A","B"' if r % 2 else '"C"', "true" if r % 3 else "-"]
        entries = "".join(f"<inputEntry><text>{escape(c, quote=False)}</text></inputEntry>" for c in cells)
        rules.append(f'<rule>{entries}<outputEntry><text>"rule {r}"</text></outputEntry></rule>')
    return (f'<definitions xmlns="{NS}" name="bench" namespace="urn:bench" id="bench">{data}'
            f'<decision id="d" name="Offer"><variable name="Offer" typeRef="string"/>{needs}'
            f'<decisionTable hitPolicy="UNIQUE">{columns}<output name="offer" typeRef="string"/>{"".join(rules)}'
            "</decisionTable></decision></definitions>")


def main(argv=None) -> int:
    """Evaluate many times and print median, p90, target and ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    models = load_models([build_model()])
    load_ms = (time.perf_counter() - started) * 1000
    inputs = {"Age": 57, "Income": 2000, "Category": "B", "Member": True}
    assert models.evaluate_decision("Offer", inputs).value == "rule 11"
    compiled_before = feel_compile.cache_info().misses
    samples = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        models.evaluate_decision("Offer", inputs)
        samples.append((time.perf_counter() - t0) * 1000)
    assert feel_compile.cache_info().misses == compiled_before, "FEEL was parsed during evaluation"
    median = statistics.median(samples)
    p90 = statistics.quantiles(samples, n=10)[-1]
    print(f"20-rule 4-input table (UNIQUE), {args.runs} runs: median {median:.4f} ms, p90 {p90:.4f} ms, "
          f"target {TARGET_MS} ms, median/target {median / TARGET_MS:.2f}; load+compile {load_ms:.1f} ms")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
