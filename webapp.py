"""WSGI entry point: ``waitress-serve webapp:app`` or ``flask --app webapp run``."""

from geoleads.web import create_app

app = create_app()
