"""The `kimflow` command line: a stable contract for operators and scripts (JSON on stdout)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from engine.core.actors import Actor
from engine.core.errors import DefinitionError, FormErrors, KimflowError
from engine.service.engine import ProcessEngine
from engine.service.registry import Extensions
from engine.store.db import Database, default_database_url

EXIT_INVALID = 2


@dataclass
class Plugin:
    """What a composition root adds: extensions for the engine and further subcommands."""

    extensions: Callable[[], Extensions] = Extensions
    commands: list[Callable[[argparse._SubParsersAction], None]] = field(default_factory=list)


def _emit(value) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    print(message, file=sys.stderr)
    return code


def _json_arg(text: str | None) -> dict:
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("--data muss ein JSON-Objekt sein")
    return value


def collect_files(paths: Sequence[str]) -> dict[str, bytes]:
    """Read .bpmn/.dmn files, expanding folders (recursively, sorted)."""
    files: dict[str, bytes] = {}
    for raw in paths:
        path = Path(raw)
        candidates = sorted(p for p in path.rglob("*") if p.suffix in (".bpmn", ".dmn")) if path.is_dir() else [path]
        for candidate in candidates:
            files[candidate.name if candidate.name not in files else str(candidate)] = candidate.read_bytes()
    return files


def cmd_init_db(args, engine: ProcessEngine) -> int:
    from engine.store import roles

    engine.create_schema()
    result: dict[str, object] = {"database": engine.db.engine.url.render_as_string(hide_password=True),
                                 "status": "ok"}
    if engine.db.is_postgres and not args.no_app_role:
        # The app connects as this role: it may append to the audit log, never change, empty or alter it.
        role = roles.grant_app_role(engine.db.engine, args.app_role or roles.app_role_from_env(),
                                    os.environ.get("KIMFLOW_DB_APP_PASSWORD") or None)
        result["app_role"] = {"name": role.name, "created": role.created, "tables": role.tables}
    _emit(result)
    return 0


def cmd_deploy(args, engine: ProcessEngine) -> int:
    try:
        files = collect_files(args.paths)
    except OSError as err:
        return _fail(f"Datei nicht lesbar: {err}")
    try:
        deployed = engine.deploy(files, actor=Actor.system_actor(args.user))
    except DefinitionError as err:
        return _fail("Nichts bereitgestellt:\n" + "\n".join(f"  {p}" for p in err.problems))
    for item in deployed:
        if item.kind == "process":
            _emit({"process_id": item.process_id, "version": item.version, "created": item.created})
    return 0


def cmd_start(args, engine: ProcessEngine) -> int:
    instance_id = engine.start(args.process_id, actor=Actor.system_actor(args.user), data=_json_arg(args.data),
                               business_key=args.key, case_ref=args.case)
    view = engine.show(instance_id)
    _emit({"instance_id": instance_id, "status": view.status})
    return 0


def cmd_tasks(args, engine: ProcessEngine) -> int:
    from engine.read import lists as queries

    with engine.db.reading() as session:
        rows = queries.open_tasks(session, instance_id=args.instance, office=args.office)
        result = [{"id": t.id, "instance_id": t.instance_id, "element_id": t.element_id, "name": t.name,
                   "office": t.office, "status": t.status, "unit": t.unit, "claimed_by": t.claimed_by,
                   "due_at": t.due_at.isoformat() if t.due_at else None} for t in rows]
    if args.json:
        _emit(result)
    else:
        for t in result:
            print(f"{t['id']}  #{t['instance_id']}  {t['office'] or '-':10}  {t['name']}")
    return 0


def cmd_complete(args, engine: ProcessEngine) -> int:
    try:
        status = engine.complete(args.task_id, actor=Actor.system_actor(args.user), data=_json_arg(args.data))
    except FormErrors as err:
        return _fail(json.dumps({"errors": err.errors}, ensure_ascii=False))
    _emit({"task_id": args.task_id, "instance_status": status})
    return 0


def cmd_show(args, engine: ProcessEngine) -> int:
    view = engine.show(args.instance_id)
    if args.json:
        _emit(view.as_dict())
    else:
        print(f"#{view.id} {view.process_id} v{view.version}: {view.status}")
        print(json.dumps(view.data, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_worker(args, engine: ProcessEngine) -> int:
    from engine.core import clock
    from engine.service import jobs

    now = clock.parse_iso(args.now) if args.now else None
    if args.once:
        # Periodic work first: e.g. a retention sweep erases a due case before its own timers fire.
        figures = jobs.run_periodic(engine, now)
        _emit({"fired": jobs.run_due_jobs(engine, now=now), **figures})
        return 0
    jobs.work_forever(engine)
    return 0


def build_parser(plugin: Plugin) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kimflow", description="kimflow: BPMN-Prozesse für KIM")
    parser.add_argument("--db", default=None, help="database URL (default: KIMFLOW_DATABASE_URL or SQLite)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init-db", help="create or upgrade the schema; on PostgreSQL grant the application role")
    p.add_argument("--app-role", help="the role the app connects as (default: KIMFLOW_DB_APP_ROLE or kimflow_app)")
    p.add_argument("--no-app-role", action="store_true", help="leave roles and grants alone")
    p.set_defaults(func=cmd_init_db)
    p = sub.add_parser("deploy", help="deploy .bpmn/.dmn files or folders")
    p.add_argument("paths", nargs="+")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=cmd_deploy)
    p = sub.add_parser("start", help="start a process instance")
    p.add_argument("process_id")
    p.add_argument("--data")
    p.add_argument("--key")
    p.add_argument("--case")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=cmd_start)
    p = sub.add_parser("tasks", help="list open human tasks")
    p.add_argument("--instance", type=int)
    p.add_argument("--office")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tasks)
    p = sub.add_parser("complete", help="complete a human task")
    p.add_argument("task_id")
    p.add_argument("--data")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=cmd_complete)
    p = sub.add_parser("show", help="show an instance")
    p.add_argument("instance_id", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("worker", help="fire due timers and jobs")
    p.add_argument("--once", action="store_true")
    p.add_argument("--now", help="ISO 8601 time to run as (tests, replays)")
    p.set_defaults(func=cmd_worker)
    for add in plugin.commands:
        add(sub)
    return parser


def _reachable(database: Database) -> bool:
    try:
        with database.engine.connect():
            return True
    except DBAPIError:
        return False


def run(argv: Sequence[str] | None = None, plugin: Plugin | None = None) -> int:
    """Parse the command line, build the engine with the plugin's extensions and run one command."""
    plugin = plugin or Plugin()
    args = build_parser(plugin).parse_args(argv)
    database = Database(args.db or default_database_url())
    engine = ProcessEngine(database, plugin.extensions())
    try:
        return args.func(args, engine)
    except (KimflowError, ValueError) as err:
        return _fail(str(err))
    except DBAPIError as err:
        logging.getLogger(__name__).debug("kimflow %s failed", args.command, exc_info=True)
        if not _reachable(database):
            return _fail(f"Die Datenbank {database.engine.url.render_as_string(hide_password=True)} ist nicht "
                         "erreichbar; bitte --db bzw. KIMFLOW_DATABASE_URL und den Datenbankserver prüfen.", code=1)
        return _fail(f"Datenbankfehler bei »{args.command}« ({type(err.orig).__name__}); bitte den Betrieb "
                     "informieren. Details stehen im Protokoll bei Stufe DEBUG.", code=1)
    except Exception as err:  # noqa: BLE001 - no traceback reaches the person at the terminal
        logging.getLogger(__name__).debug("kimflow %s failed", args.command, exc_info=True)
        return _fail(f"Unerwarteter Fehler bei »{args.command}« ({type(err).__name__}); bitte den Betrieb "
                     "informieren. Details stehen im Protokoll bei Stufe DEBUG.", code=1)
    finally:
        database.engine.dispose()  # callers that run commands in-process (tests, tools) keep no open connections


def main() -> None:
    sys.exit(run())
