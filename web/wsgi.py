"""The WSGI entry point for gunicorn and other servers: `web.wsgi:app`, configured from the environment."""

from web.app import create_app

app = create_app()
