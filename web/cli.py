"""The composition root of the `kimflow` command: engine commands plus KIM extensions, demo and server."""

from __future__ import annotations

import importlib
import sys

from engine import Extensions, cli

# Each module adds its subcommands with `register(subparsers)`; a module not written yet is skipped.
COMMAND_MODULES = ("workflows.commands", "web.commands", "web.designer_commands", "workflows.correlate_command",
                   "web.auth.commands")


def kim_extensions() -> Extensions:
    """Return the engine extensions of the KIM process library (script functions, routing, handlers)."""
    try:
        from workflows.setup import build_extensions
    except ImportError:
        return Extensions()
    return build_extensions()


def plugin() -> cli.Plugin:
    """Wire workflows' extensions and the web commands into the engine's CLI."""
    commands = []
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
            continue
        commands.append(module.register)
    return cli.Plugin(extensions=kim_extensions, commands=commands)


def main() -> None:
    sys.exit(cli.run(plugin=plugin()))
