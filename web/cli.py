"""The composition root of the `kimflow` command: engine commands plus KIM extensions and the server."""

from __future__ import annotations

import sys

from engine.cli import Plugin, run


def plugin() -> Plugin:
    """Wire workflows' extensions and the web commands into the engine's CLI."""
    return Plugin()


def main() -> None:
    sys.exit(run(plugin=plugin()))
