"""Alembic revisions of the KIM tables (cases, steering facts), applied beside the engine's own."""

from pathlib import Path

MIGRATIONS = Path(__file__).parent / "versions"
