"""Shared fixtures for the diagram tests; the runner itself lives in runner.py."""

import pytest

from .runner import parser


@pytest.fixture(scope="session")
def bpmn_parser():
    """Return one Camunda parser loaded with every diagram and table in bpmn/."""
    return parser()
