"""Backing up and restoring the portal's database.

SQLite is copied with its online backup API: one consistent snapshot while the portal keeps running
(in WAL mode writers are not held up). PostgreSQL is dumped with `pg_dump --format=custom`, which
reads one snapshot too, and restored with `pg_restore` in a single transaction, so a restore that
fails part-way leaves the database as it was. The password never goes on a command line, where
`ps` would show it to every user of the machine: it reaches the client tools as PGPASSWORD.
"""

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 – runs pg_dump/pg_restore only, without a shell
import tempfile
from collections.abc import Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SCHEMA_TABLE = "alembic_version"  # written by the migrations; holds no data of the portal's own
CONNECT_TIMEOUT_SECONDS = "10"
# Connection settings a DATABASE_URL may carry in its query, and the libpq variable for each.
LIBPQ_QUERY_VARIABLES = {
    "host": "PGHOST",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}
TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ", re.MULTILINE)  # id; oid TABLE schema name


class BackupError(Exception):
    """A backup or restore that did not happen, with the reason told for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: int
    size_bytes: int


@dataclass(frozen=True)
class RestoreResult:
    database: str
    tables: int
    rows: int
    replaced: list[str]  # tables that held rows before, when --force replaced them
    kept: list[str]  # tables the database had and the backup has not, left as they were
    schema_revision: str | None  # the migration the backup was made at, if it says


def describe(engine: sa.Engine) -> str:
    """The database's address without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def create_backup(engine: sa.Engine, path: Path, overwrite: bool = False) -> BackupResult:
    """Write a consistent copy of the whole database to `path`, in full or not at all."""
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists. Choose another name, or add --force to overwrite it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    require_reachable(engine)
    with _partial_file(path) as partial:
        if _is_postgresql(engine):
            _pg_dump(engine, partial)
            tables = len(_pg_tables(partial))
        else:
            _sqlite_backup(engine, partial)
            tables = len(_sqlite_tables(partial))
        os.replace(partial, path)
    return BackupResult(path, tables, path.stat().st_size)


def restore_backup(engine: sa.Engine, path: Path, force: bool = False) -> RestoreResult:
    """Load a backup made by create_backup into the database, which must hold no rows unless `force`.
    A foreign or damaged file is refused, and a restore that fails part-way is undone."""
    _check_kind(path, expected=PG_DUMP_MAGIC if _is_postgresql(engine) else SQLITE_MAGIC)
    backup_tables = _pg_tables(path) if _is_postgresql(engine) else _sqlite_tables(path)
    if not backup_tables & set(db.metadata.tables):
        raise BackupError(f"{path} is not a backup of the portal: it holds none of the portal's tables.")
    require_reachable(engine)
    occupied = tables_with_rows(engine)
    if occupied and not force:
        raise BackupError(
            f"Nothing was restored: the database {describe(engine)} is not empty "
            f"(rows in {some(occupied)}). Restore into an empty "
            "database, or add --force to replace what it holds with the backup."
        )
    if _is_postgresql(engine):
        kept = sorted(set(_row_counts(engine)) - backup_tables)  # pg_restore --clean drops only its own
        _pg_restore(engine, path)
        engine.dispose()  # pooled connections may hold plans for the tables the restore replaced
    else:
        kept = []  # the backup API replaces the whole database file
        _sqlite_restore(engine, path)
    return RestoreResult(
        database=describe(engine),
        tables=len(backup_tables),
        rows=sum(_row_counts(engine).values()),
        replaced=occupied,
        kept=kept,
        schema_revision=schema_revision(engine),
    )


def require_reachable(engine: sa.Engine) -> None:
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise BackupError(f"Could not connect to the database {describe(engine)}: {reason}") from error


def some(names: list[str], shown: int = 6) -> str:
    """A list of table names short enough to read in a terminal."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


def tables_with_rows(engine: sa.Engine) -> list[str]:
    return sorted(table for table, rows in _row_counts(engine).items() if rows and table != SCHEMA_TABLE)


def schema_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(SCHEMA_TABLE):
            return None
        return connection.scalar(sa.text(f"SELECT version_num FROM {SCHEMA_TABLE}"))  # nosec B608 – a constant name


def _row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0
            for name in sa.inspect(connection).get_table_names()
        }


def _is_postgresql(engine: sa.Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def _partial_file(path: Path):
    """A file beside `path` to write into, readable by its owner only (a backup holds personal data
    and password hashes), removed unless it was moved into place."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _check_kind(path: Path, expected: bytes) -> None:
    if not path.is_file():
        raise BackupError(f"There is no backup file {path}.")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(expected):
        return
    if head.startswith(SQLITE_MAGIC):
        raise BackupError(f"{path} is an SQLite backup: restore it into a portal that runs on SQLite.")
    if head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{path} is a PostgreSQL backup: restore it into a portal that runs on PostgreSQL.")
    raise BackupError(f"{path} is not a backup made by `flask backup create`.")


# SQLite


def _sqlite_backup(engine: sa.Engine, target: Path) -> None:
    with engine.connect() as connection, closing(sqlite3.connect(target)) as copy:
        _raw(connection).backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def _sqlite_restore(engine: sa.Engine, path: Path) -> None:
    # The backup API writes the destination in one transaction: all pages or none.
    with closing(_open_sqlite_backup(path)) as backup, engine.connect() as connection:
        try:
            backup.backup(_raw(connection))
        except sqlite3.Error as error:
            raise BackupError(f"Nothing was restored from {path}: {error}") from error


def _sqlite_tables(path: Path) -> set[str]:
    """The tables of an SQLite backup, after checking every page of it can be read."""
    with closing(_open_sqlite_backup(path)) as backup:
        try:
            problems = [row[0] for row in backup.execute("PRAGMA quick_check") if row[0] != "ok"]
            names = {row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is damaged and cannot be restored: {error}") from error
    if problems:
        raise BackupError(f"{path} is damaged and cannot be restored: {'; '.join(problems[:5])}")
    return names


def _open_sqlite_backup(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _raw(connection: sa.Connection) -> sqlite3.Connection:
    return connection.connection.dbapi_connection  # type: ignore[return-value]


# PostgreSQL


def _pg_dump(engine: sa.Engine, target: Path) -> None:
    run_postgres_tool(engine.url, "pg_dump", ["--format=custom", f"--file={target}"], with_database=True)


def _pg_restore(engine: sa.Engine, path: Path) -> None:
    options = [
        "--single-transaction",  # with --exit-on-error: all of it or, on any error, none of it
        "--exit-on-error",
        "--clean",  # drop what the backup is about to create (tables of an emptied or --force database)
        "--if-exists",
        "--no-owner",  # objects belong to DATABASE_URL's user, whatever role owned them before
        "--no-privileges",
        str(path.resolve()),  # absolute: a name that starts with a dash is not read as an option
    ]
    try:
        run_postgres_tool(engine.url, "pg_restore", options, with_database=True)
    except BackupError as error:
        raise BackupError(f"Nothing was restored (the database is as it was): {error}") from error


def _pg_tables(path: Path) -> set[str]:
    """The tables listed in a custom-format dump's table of contents (read without a database)."""
    try:
        contents = run_postgres_tool(None, "pg_restore", ["--list", str(path.resolve())])
    except BackupError as error:
        raise BackupError(f"{path} is damaged and cannot be restored: {error}") from error
    return set(TOC_TABLE.findall(contents))


def run_postgres_tool(
    url: sa.URL | None, tool: str, arguments: Sequence[str], with_database: bool = False
) -> str:
    """Run a PostgreSQL client program with the connection in its environment; return its output."""
    command = [postgres_tool(tool), "--no-password"]  # fail rather than wait for a password prompt
    environment = os.environ.copy()
    if url is not None:
        environment.update(libpq_environment(url))
    if url is not None and with_database:
        command.append(f"--dbname={url.database or url.username}")  # libpq's default: the user's name
    command.extend(arguments)
    # A list and no shell: the program is found by name; the arguments are ours and the file's path.
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # nosec B603 – the argument list of a found PostgreSQL tool, no shell
    if completed.returncode != 0:
        raise BackupError(f"{tool} failed: {completed.stderr.strip() or completed.returncode}")
    return completed.stdout


def libpq_environment(url: sa.URL) -> dict[str, str]:
    """DATABASE_URL as the PG* variables libpq reads, the password among them."""
    variables = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGCONNECT_TIMEOUT": CONNECT_TIMEOUT_SECONDS,
    }
    for key, variable in LIBPQ_QUERY_VARIABLES.items():
        value = url.query.get(key)
        if value:
            variables[variable] = value if isinstance(value, str) else value[0]
    return {name: str(value) for name, value in variables.items() if value}


def postgres_tool(name: str) -> str:
    """The client program on PATH, else the newest of Debian's versioned ones."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob(f"/usr/lib/postgresql/*/bin/{name}")
    if not candidates:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client (apt-get install postgresql-client)."
        )
    return max(candidates, key=lambda candidate: int(Path(candidate).parts[-3]))
