"""The SQL statements a piece of work sends: for tests that hold a page or a query to a fixed number."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from portal.extensions import db


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """The statements sent to the app's database while the block runs, in a list filled as they go."""
    seen: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
