"""Every diagram ends alike whether each step runs on one engine or on a fresh engine with a cold spec cache.

The diagrams are kimflow's own test fixtures (tests/engine/fixtures, with reload/ holding one diagram per
construct SpiffWorkflow changes at run time) and the public corpora in ../shared/corpora.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from engine.bpmn.validation import accepted_files
from engine.service.registry import Extensions
from engine.store.db import Database
from tests.conftest import CORPUS, FIXTURES, empty_tables
from tests.engine.test_reload_support import Comparison, compare, try_deploy

CORPORA = CORPUS.parent
RELOAD = FIXTURES / "reload"
OWN = sorted(FIXTURES.rglob("*.bpmn"))
# Standard loopDataInputRef/inputDataItem on a subprocess: SpiffWorkflow's Camunda parser requires
# camunda:collection or a cardinality, so kimflow refuses these (with the file and the element named).
REFUSED_FIXTURES = {"mi_parallel_standard_subprocess.bpmn", "mi_sequential_standard_subprocess.bpmn"}
# SpiffWorkflow 3.2 cannot run Camunda's legacy "cardinality is a list" on a sequential MI ("input item
# already exists"); engine/service/tasks.py lets that error escape `complete` instead of making it an incident.
ESCAPES = {"mi_sequential_cardinality_list.bpmn"}


def _corpus_files() -> list[Path]:
    if not CORPORA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, but the corpora are missing at {CORPORA}")
        return []
    return sorted(CORPORA.rglob("*.bpmn"))


def _walk_bundle(db: Database, path: Path, members: list[Path], tag: str) -> tuple[str, str, list[Comparison]]:
    """Deploy one file with its bundle and compare the warm and cold walk of each own process."""
    extensions = Extensions()
    status, processes, reason = try_deploy(db, extensions, {m.name: m.read_bytes() for m in members})
    own = [pid for pid in processes if f'id="{pid}"'.encode() in path.read_bytes()]
    return status, reason, [compare(db, extensions, path, pid, f"{tag}-{n}") for n, pid in enumerate(own)]


@pytest.fixture(scope="module")
def own_bundles() -> dict[Path, list[Path]]:
    return accepted_files([*OWN, *FIXTURES.rglob("*.dmn")])


@pytest.mark.parametrize("path", OWN, ids=[str(p.relative_to(FIXTURES)) for p in OWN])
def test_a_fixture_diagram_ends_alike_with_a_reload_before_every_step(db, own_bundles, path):
    status, reason, comparisons = _walk_bundle(db, path, own_bundles.get(path, [path]), "own")
    if path.name in REFUSED_FIXTURES:
        assert status == "refused" and path.name in reason, reason
        return
    assert status == "deployed", reason
    for comparison in comparisons:
        assert comparison.cold == comparison.warm, comparison.process_id
        assert comparison.outcome != "escaped" or path.name in ESCAPES, comparison.warm


def test_the_reload_fixtures_cover_the_constructs_spiffworkflow_changes_at_run_time():
    names = {path.stem for path in RELOAD.glob("*.bpmn")}
    for prefix in ("mi_parallel", "mi_sequential", "standard_loop", "esp_message", "esp_signal", "esp_timer",
                   "esp_error", "esp_escalation", "data_objects", "script_types", "boundary", "gateways"):
        assert any(name.startswith(prefix) for name in names), prefix


@pytest.mark.parametrize("name", ["mi_parallel_collection", "mi_sequential_collection", "standard_loop",
                                  "esp_message_interrupting", "esp_signal_noninterrupting", "script_types",
                                  "data_objects_subprocess"])
def test_constructs_that_used_to_break_after_a_reload_now_walk_to_their_end(db, name):
    _status, _reason, [comparison] = _walk_bundle(db, RELOAD / f"{name}.bpmn", [RELOAD / f"{name}.bpmn"], "c")
    assert comparison.outcome == "completed", comparison.cold
    assert comparison.same


@pytest.fixture(scope="module")
def corpus_results(shared_db: Database) -> dict[Path, tuple[str, str, list[Comparison]]]:
    files = _corpus_files()
    if not files:
        pytest.skip("public corpora not available")
    empty_tables(shared_db)
    bundles = accepted_files(files)
    results = {path: _walk_bundle(shared_db, path, bundles.get(path, [path]), f"corpus-{index}")
               for index, path in enumerate(files)}
    empty_tables(shared_db)
    _report(results)
    return results


def _report(results: dict[Path, tuple[str, str, list[Comparison]]]) -> None:
    """Print the corpus figures per corpus: deploy verdicts, walk outcomes and reload differences."""
    for corpus in sorted({path.relative_to(CORPORA).parts[0] for path in results}):
        mine = {p: r for p, r in results.items() if p.relative_to(CORPORA).parts[0] == corpus}
        deploys = Counter(status for status, _reason, _walks in mine.values())
        walks = [walk for _status, _reason, each in mine.values() for walk in each]
        outcomes = Counter(walk.outcome for walk in walks)
        escaped = f", {outcomes['escaped']} escaped a verb" if outcomes["escaped"] else ""
        differ = [walk for walk in walks if not walk.same]
        print(f"\nReload harness, {corpus}: {len(mine)} files: {deploys['deployed']} deployed, "
              f"{deploys['refused']} refused with a message, {deploys['crashed']} crashed; {len(walks)} walks: "
              f"{outcomes['completed']} walked to the end, {outcomes['waiting']} waiting, "
              f"{outcomes['incident']} incident{escaped}; {len(differ)} differ after reload")
        for walk in differ:
            print(f"  differs: {walk.path.relative_to(CORPORA)} {walk.process_id}")


def test_no_corpus_file_crashes_the_deploy(corpus_results):
    crashed = {str(p): reason for p, (status, reason, _w) in corpus_results.items() if status == "crashed"}
    assert crashed == {}


def test_every_refused_corpus_file_says_which_file_is_wrong(corpus_results):
    for path, (status, reason, _walks) in corpus_results.items():
        if status == "refused":
            assert reason.strip() and path.name in reason, (path, reason)


def test_no_corpus_walk_lets_an_error_escape_a_verb(corpus_results):
    escaped = [f"{w.path.name}:{w.process_id}" for _s, _r, walks in corpus_results.values()
               for w in walks if w.outcome == "escaped"]
    assert escaped == []


def test_every_corpus_walk_ends_alike_with_a_reload_before_every_step(corpus_results):
    differ = {f"{w.path.name}:{w.process_id}": (w.warm, w.cold) for _s, _r, walks in corpus_results.values()
              for w in walks if not w.same}
    assert differ == {}
