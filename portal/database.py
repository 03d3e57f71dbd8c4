"""Statements that SQLite and PostgreSQL both run, where SQLAlchemy needs the dialect spelled out."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db


def dialect_insert(model: type) -> Any:
    """An INSERT that offers ON CONFLICT clauses on the database in use."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def insert_if_absent(model: type, **values: object) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two requests creating the same row at the same moment (two tabs,
    a double click) both succeed and one row remains."""
    db.session.execute(dialect_insert(model).values(**values).on_conflict_do_nothing())
