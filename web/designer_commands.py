"""`kimflow test PATH`: run scenario tests of diagrams from the command line (exit 0 = all passed)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from engine import FileReport, run_file, scenario_paths


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `test` subcommand."""
    parser = subparsers.add_parser("test", help="run scenario tests (*.scenarios.json) of diagrams")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a scenario file, a diagram with a sibling scenario file, or a folder")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=cmd_test)


def _print_report(report: FileReport) -> None:
    if report.error:
        print(f"FEHLER  {report.path}: {report.error}")
        return
    for result in report.results:
        print(f"{'OK    ' if result.passed else 'FEHLER'}  {report.path}: {result.name}")
        for failure in result.failures:
            print(f"          - {failure}")


def cmd_test(args, engine) -> int:
    """Run the scenario files found under the given paths and print a summary."""
    paths = [found for raw in args.paths for found in scenario_paths(Path(raw))]
    if not paths:
        print("Keine Szenariodateien (*.scenarios.json) gefunden.")
        return 1
    functions = engine.extensions.script_functions
    reports = [run_file(path, functions=functions) for path in paths]
    results = [result for report in reports for result in report.results]
    passed = sum(result.passed for result in results)
    broken = sum(report.error is not None for report in reports)
    if args.json:
        print(json.dumps([{"path": r.path, "error": r.error, "results": [x.as_dict() for x in r.results]}
                          for r in reports], ensure_ascii=False, default=str))
    else:
        for report in reports:
            _print_report(report)
        print(f"{len(results)} Szenarien, {passed} bestanden, {len(results) - passed} fehlgeschlagen"
              + (f", {broken} Dateien nicht lesbar" if broken else ""))
    return 0 if results and passed == len(results) and not broken else 1
