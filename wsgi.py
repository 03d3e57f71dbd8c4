"""Entry point for gunicorn and the Flask CLI: ``gunicorn wsgi:app``."""

from portal.app import create_app

app = create_app()
