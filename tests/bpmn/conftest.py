"""Shared fixtures for the diagram walks; the runner itself lives in runner.py."""

import pytest

from .runner import World


@pytest.fixture
def world(db) -> World:
    """Return the emptied database with the library deployed and the district seeded, one engine for all steps."""
    return World.deployed(db)
