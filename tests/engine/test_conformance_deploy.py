"""Every public Camunda example diagram is either accepted or refused with a clear German problem."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.bpmn.dialect import parse_bundle
from engine.bpmn.validation import accepted_files, file_verdicts
from tests.conftest import CORPUS  # noqa: E402

FILES = sorted([*CORPUS.rglob("*.bpmn"), *CORPUS.rglob("*.dmn")]) if CORPUS.exists() else []

pytestmark = pytest.mark.skipif(not FILES, reason="Camunda example corpus not available")


@pytest.fixture(scope="module")
def verdicts():
    return file_verdicts(FILES)


_REASONS = {"Skriptsprache": "script language is not Python", "Cron": "cron timer (only ISO 8601)",
            "Entscheidungen": "DMN with several decisions (DRD)", "nicht im Paket": "called process missing"}


def _reason(message: str) -> str:
    """Name the kind of refusal, for the summary."""
    return next((reason for key, reason in _REASONS.items() if key in message), message[:60])


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file_is_accepted_or_refused_with_a_clear_problem(verdicts, path):
    for problem in verdicts[path]:
        assert not problem.message.startswith("Unerwarteter Fehler"), problem
        assert problem.file, problem
        assert problem.line or problem.element_id, problem


def test_accepted_bpmn_files_parse_into_executable_specs(verdicts):
    for path, members in accepted_files(FILES).items():
        if path.suffix == ".bpmn":
            bundle = parse_bundle({member.name: member.read_bytes() for member in members})
            assert bundle.process_ids, path
            assert all(bundle.spec(pid).start for pid in bundle.process_ids)


def test_dmn_files_either_parse_their_decision_or_say_why_not(verdicts):
    for path in FILES:
        if path.suffix == ".dmn" and not verdicts[path]:
            assert parse_bundle({path.name: path.read_bytes()}).decision_ids()
        elif path.suffix == ".dmn":
            assert "Entscheidung" in verdicts[path][0].message


def test_most_of_the_corpus_is_accepted_and_the_counts_are_reported(verdicts):
    accepted = [path for path, errors in verdicts.items() if not errors]
    reasons = Counter(_reason(errors[0].message) for errors in verdicts.values() if errors)
    print(f"\nCamunda examples: {len(verdicts)} files, {len(accepted)} accepted, "
          f"{len(verdicts) - len(accepted)} refused")
    for reason, count in reasons.most_common():
        print(f"  {count:3d}  {reason}")
    assert len(accepted) >= len(verdicts) * 3 // 4
