"""`kimflow serve` as a gunicorn application: the settings of web/gunicorn_conf.py plus the command's own."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import Application


class Server(Application):
    """gunicorn serving kimflow on one database; each worker builds its own app after the fork."""

    def __init__(self, database_url: str, bind: str, workers: int | None = None):
        self.database_url, self.bind, self.workers = database_url, bind, workers
        super().__init__(usage=None, prog="kimflow serve")

    def init(self, parser: Any, opts: Any, args: Any) -> dict:
        return {}

    def load_config(self) -> None:
        self.load_config_from_module_name_or_filename("python:web.gunicorn_conf")
        self.cfg.set("bind", [self.bind])
        if self.workers:
            self.cfg.set("workers", self.workers)

    def load(self):
        from web.app import create_app

        return create_app({"DATABASE_URL": self.database_url})
