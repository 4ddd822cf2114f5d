"""Deployed definitions: immutable versions of processes and decisions, and a parsed-spec cache."""

from __future__ import annotations

import copy
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from SpiffWorkflow.camunda.specs.multiinstance_task import ParallelMultiInstanceTask, SequentialMultiInstanceTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, make_transient_to_detached

from engine.bpmn.dialect import message_start_names, parse_bundle
from engine.bpmn.xmlsafe import decode_xml, parse_xml
from engine.core import clock
from engine.core.errors import DefinitionError, NotFound, Problem
from engine.store import audit, reference
from engine.store.models import DefinitionVersion

CALLED = re.compile(rb'calledElement="([^"]+)"')
DECISION_REF = re.compile(rb'decisionRef="([^"]+)"')
DMN_DECISION = "{*}decision"
CAMUNDA_MI = (ParallelMultiInstanceTask, SequentialMultiInstanceTask)


@dataclass(frozen=True)
class Deployed:
    """The outcome of deploying one process or decision."""

    process_id: str
    version: int
    kind: str
    created: bool

    def as_dict(self) -> dict:
        return {"process_id": self.process_id, "version": self.version, "kind": self.kind,
                "created": self.created}


class IndexRow(NamedTuple):
    """A deployed version without its sources."""

    id: int
    process_id: str
    kind: str
    version: int
    name: str
    checksum: str


def _load_index(session: Session) -> tuple[IndexRow, ...]:
    rows = session.execute(select(DefinitionVersion.id, DefinitionVersion.process_id, DefinitionVersion.kind,
                                  DefinitionVersion.version, DefinitionVersion.name, DefinitionVersion.checksum)
                           .order_by(DefinitionVersion.id))
    return tuple(IndexRow(*row) for row in rows)


def definition_index(session: Session) -> tuple[IndexRow, ...]:
    """Return every deployed version without its sources (cached per process until versions change)."""
    return reference.cached(session, "definition_index", _load_index)


def _attached(session: Session, head: IndexRow) -> DefinitionVersion:
    """Return the version as a row of `session` without reading it: its sources load only if something reads them."""
    key = session.identity_key(DefinitionVersion, head.id)
    present = session.identity_map.get(key)
    if present is not None:
        return present  # type: ignore[no-any-return]
    row = DefinitionVersion(**head._asdict())
    make_transient_to_detached(row)  # persistent once added; the columns not given are expired, loaded on access
    session.add(row)
    return row


@dataclass(frozen=True)
class LoadedSpec:
    spec: object
    subprocess_specs: dict
    version_id: int
    initiator_variable: str | None = None  # camunda:initiator: where the starting user's name goes
    private: bool = False  # the spec carries per-instance run-time facts: each instance gets its own copy

    def for_instance(self) -> tuple[object, dict]:
        """Return the specs one instance runs on: shared, or a private copy when run-time facts differ."""
        if not self.private:
            return self.spec, self.subprocess_specs
        return copy.deepcopy((self.spec, self.subprocess_specs))


def _has_per_instance_facts(specs: list) -> bool:
    """Tell whether a Camunda multi-instance cardinality may rewrite its spec differently per instance."""
    # A cardinality that evaluates to a list turns into the input collection (cardinality None) on the
    # shared spec; a later instance whose cardinality is a number would then run on the wrong branch.
    return any(isinstance(task_spec, CAMUNDA_MI) and task_spec.cardinality is not None
               for spec in specs for task_spec in spec.task_specs.values())


INITIATOR = re.compile(r'<[\w:]*startEvent[^>]*camunda:initiator="([A-Za-z_]\w*)"')


def _as_text(content: bytes | str, name: str | None = None) -> str:
    return decode_xml(content, name)  # the encoding the file declares, not always UTF-8


def _checksum(files: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def decision_ids(name: str, content: str) -> list[str]:
    """List the decision ids a .dmn file defines."""
    root = parse_xml(content.encode(), name)
    return [node.get("id") for node in root.iter(DMN_DECISION) if node.get("id")]


class DefinitionLibrary:
    """Deploys bundles of BPMN/DMN files as versions and hands out parsed specs by version."""

    def __init__(self, offices: set[str] | None = None, cache_size: int = 512):
        self.offices = offices
        self._cache: OrderedDict[int, LoadedSpec] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def deploy(self, session: Session, files: Mapping[str, bytes | str], *, actor: str) -> list[Deployed]:
        """Validate and store a bundle; identical content creates no new version."""
        texts = {name: _as_text(content, name) for name, content in files.items()}
        if not texts:
            raise DefinitionError([Problem("Keine BPMN- oder DMN-Dateien übergeben")])
        texts = self.with_dependencies(session, texts)
        bundle = parse_bundle(texts, known_offices=self.offices)
        decisions = [(d, name) for name, text in texts.items() if name.endswith(".dmn")
                     for d in decision_ids(name, text) if name in files]
        if not bundle.process_ids and not decisions:
            raise DefinitionError([Problem("Die Dateien enthalten keinen ausführbaren Prozess und keine Entscheidung")])
        checksum = _checksum(texts)
        results = []
        for process_id in bundle.process_ids:
            if not self._defined_in(process_id, files):
                continue
            starts = message_start_names(bundle.spec(process_id))
            results.append(self._store(session, "process", process_id, bundle.process_name(process_id),
                                       texts, checksum, starts, actor))
        for decision_id, _name in decisions:
            results.append(self._store(session, "decision", decision_id, decision_id, texts, checksum, [], actor))
        return results

    def _defined_in(self, process_id: str, files: Mapping[str, bytes | str]) -> bool:
        needle = f'id="{process_id}"'
        return any(needle in _as_text(content, name) for name, content in files.items() if name.endswith(".bpmn"))

    def _store(self, session: Session, kind: str, process_id: str, name: str, texts: dict[str, str],
               checksum: str, starts: list[str], actor: str) -> Deployed:
        latest = self.latest(session, process_id, kind=kind)
        if latest is not None and latest.checksum == checksum:
            return Deployed(process_id, latest.version, kind, created=False)
        version = (latest.version if latest else 0) + 1
        row = DefinitionVersion(kind=kind, process_id=process_id, version=version, name=name,
                                checksum=checksum, files=texts, message_starts=starts,
                                deployed_by=actor, deployed_at=clock.now())
        session.add(row)
        session.flush()
        audit.record(session, actor, "definition_deployed", process_id=process_id, version=version, kind=kind)
        return Deployed(process_id, version, kind, created=True)

    def with_dependencies(self, session: Session, texts: dict[str, str]) -> dict[str, str]:
        """Add the latest deployed sources of called processes and decisions the bundle lacks."""
        result = dict(texts)
        for _ in range(10):  # dependencies of dependencies, bounded
            blob = "".join(result.values()).encode()
            text = blob.decode()
            refs = [(ref.decode(), "process") for ref in CALLED.findall(blob)]
            refs += [(ref.decode(), "decision") for ref in DECISION_REF.findall(blob)]
            missing = [(ref, kind) for ref, kind in refs if f'id="{ref}"' not in text]
            added = False
            for ref, kind in missing:
                latest = self.latest(session, ref, kind=kind)
                if latest is None:
                    continue  # validation reports it
                for name, text in latest.files.items():
                    if name not in result and f'id="{ref}"' in text:
                        result[name] = text
                        added = True
            if not added:
                break
        return result

    @staticmethod
    def latest(session: Session, process_id: str, *, kind: str = "process") -> DefinitionVersion | None:
        query = (select(DefinitionVersion).where(DefinitionVersion.process_id == process_id,
                                                 DefinitionVersion.kind == kind)
                 .order_by(DefinitionVersion.version.desc()).limit(1))
        return session.scalars(query).first()

    @staticmethod
    def get(session: Session, process_id: str, version: int | None = None) -> DefinitionVersion:
        """Return a process version (the newest when `version` is None); no statement while the index is current.

        Its sources (hundreds of KB) are read only when something needs them: a spec not parsed yet in this process.
        """
        heads = [head for head in definition_index(session) if head.process_id == process_id
                 and head.kind == "process" and (version is None or head.version == version)]
        if not heads:
            raise NotFound(f"Prozess {process_id!r} ist nicht bereitgestellt")
        return _attached(session, max(heads, key=lambda head: head.version))

    @staticmethod
    def by_message_start(session: Session, message_name: str) -> list[DefinitionVersion]:
        """Return the latest version of every process that a message with this name starts."""
        newest = (select(DefinitionVersion.process_id, func.max(DefinitionVersion.version).label("v"))
                  .where(DefinitionVersion.kind == "process").group_by(DefinitionVersion.process_id).subquery())
        rows = session.scalars(select(DefinitionVersion).join(
            newest, (DefinitionVersion.process_id == newest.c.process_id) & (DefinitionVersion.version == newest.c.v)))
        return [row for row in rows if message_name in (row.message_starts or [])]

    def cached(self, version_id: int, process_id: str) -> LoadedSpec | None:
        """Return the parsed spec of a version already loaded (versions are immutable), or None."""
        with self._lock:
            loaded = self._cache.get(version_id)
        return loaded if loaded is not None and getattr(loaded.spec, "name", None) == process_id else None

    def load(self, row: DefinitionVersion) -> LoadedSpec:
        """Return the parsed spec of a version, parsing its stored sources at most once per process."""
        with self._lock:
            cached = self._cache.get(row.id)
            if cached is not None:
                self._cache.move_to_end(row.id)
                return cached
        bundle = parse_bundle(row.files)
        initiator = next((m.group(1) for text in row.files.values() if f'id="{row.process_id}"' in text
                          for m in [INITIATOR.search(text)] if m), None)
        spec, subprocess_specs = bundle.spec(row.process_id), bundle.subprocess_specs(row.process_id)
        private = _has_per_instance_facts([spec, *subprocess_specs.values()])
        loaded = LoadedSpec(spec, subprocess_specs, row.id, initiator, private)
        with self._lock:
            self._cache[row.id] = loaded
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return loaded
