"""Find and deploy the process library (bpmn/): from the checkout, or installed as data files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from engine.core.actors import Actor
from engine.service.definitions import Deployed
from engine.service.engine import ProcessEngine

ENV_DIR = "KIMFLOW_BPMN_DIR"


def bpmn_dir() -> Path:
    """Return the folder of the diagrams: $KIMFLOW_BPMN_DIR, the checkout's bpmn/, or the installed copy."""
    candidates = [Path(os.environ[ENV_DIR])] if os.environ.get(ENV_DIR) else []
    candidates += [Path(__file__).resolve().parent.parent / "bpmn", Path(sys.prefix) / "share" / "kimflow" / "bpmn"]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.bpmn")):
            return candidate
    raise FileNotFoundError("Prozessbibliothek (bpmn/) nicht gefunden; KIMFLOW_BPMN_DIR setzen")


def library_files(folder: Path | None = None) -> dict[str, bytes]:
    """Read every .bpmn and .dmn file of the library by file name."""
    folder = folder or bpmn_dir()
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".bpmn", ".dmn")}


def deploy_library(engine: ProcessEngine, *, actor: Actor | None = None) -> list[Deployed]:
    """Deploy the library; unchanged processes keep their version."""
    return engine.deploy(library_files(), actor=actor or Actor.system_actor("demo"))
