"""Schema migrations through Alembic; `kimflow init-db` upgrades to every head."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(extra_versions: Sequence[Path] = ()) -> Config:
    """Return the engine's Alembic configuration plus the version folders extensions bring along."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    folders = [MIGRATIONS / "versions", *extra_versions]
    config.set_main_option("version_locations", os.pathsep.join(str(folder) for folder in folders))
    return config


def upgrade_to_head(engine: Engine, extra_versions: Sequence[Path] = ()) -> None:
    """Apply all migrations (every area's head) in one transaction."""
    config = alembic_config(extra_versions)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def make_revision(engine: Engine, metadata: MetaData, message: str, rev_id: str, head: str = "heads",
                  extra_versions: Sequence[Path] = ()) -> None:
    """Autogenerate a revision of `metadata` against an up-to-date database (developer helper)."""
    config = alembic_config(extra_versions)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["metadata"] = metadata
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id, head=head)
