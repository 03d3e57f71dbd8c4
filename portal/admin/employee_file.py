"""Reading an employee CSV file into checked rows: no database, every problem located by row."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from portal.models import Position

MAX_ROWS = 20_000
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

# Header names accepted for each column, compared without case, accents or surrounding space.
COLUMN_NAMES = {
    "username": ("anvandarnamn", "username", "anvandar-id", "login"),
    "full_name": ("namn", "name", "full_name", "fullstandigt namn"),
    "first_name": ("fornamn", "first_name", "firstname", "first name"),
    "last_name": ("efternamn", "last_name", "lastname", "last name", "surname"),
    "email": ("e-post", "epost", "email", "e-mail", "mejl"),
    "unit": ("enhet", "unit", "arbetsplats"),
    "position": ("befattning", "position", "yrke", "titel", "title"),
    "start_date": ("startdatum", "start_date", "start date", "fran", "anstalld fran"),
}
REQUIRED_COLUMNS = {"username": "användarnamn", "unit": "enhet", "position": "befattning"}

POSITION_NAMES = {
    Position.ASSISTANT_NURSE: ("underskoterska", "usk", "assistant nurse"),
    Position.CARE_ASSISTANT: ("vardbitrade", "care assistant"),
    Position.NURSE: ("sjukskoterska", "ssk", "nurse"),
    Position.OCCUPATIONAL_THERAPIST: ("arbetsterapeut", "occupational therapist"),
    Position.NEEDS_ASSESSOR: ("bistandshandlaggare", "needs assessor"),
    Position.ALARM_OPERATOR: ("larmoperator", "alarm operator"),
    Position.ALARM_COORDINATOR: ("larmansvarig", "alarm coordinator"),
    Position.UNIT_MANAGER: ("enhetschef", "unit manager"),
    Position.OPERATIONS_MANAGER: ("verksamhetschef", "operations manager"),
    Position.OTHER: ("ovrig", "ovrigt", "annan", "other"),
}


def fold(text: str) -> str:
    """Lower case without accents or extra space: 'Undersköterska ' -> 'underskoterska'."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


POSITION_LOOKUP = {
    name: position
    for position, names in POSITION_NAMES.items()
    for name in (*names, position.value, position.value.replace("_", " "))
}
HEADER_LOOKUP = {name: column for column, names in COLUMN_NAMES.items() for name in names}


@dataclass(frozen=True)
class EmployeeRow:
    line: int
    username: str
    full_name: str
    email: str | None
    unit_name: str
    position: Position
    start_date: date | None


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class EmployeeFile:
    encoding: str
    rows: list[EmployeeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), else Windows-1252 as Excel saves."""
    if b"\x00" in data:
        raise ValueError(_("The file is not a text file. Save it as CSV and try again."))
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _delimiter(first_line: str) -> str:
    return max((";", ",", "\t"), key=first_line.count)


def parse(text: str, encoding: str = "utf-8") -> EmployeeFile:
    """Every valid row and every row's problem; the caller decides what to do with errors."""
    result = EmployeeFile(encoding=encoding)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append(RowError(1, _("The file is empty.")))
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0]))
    try:
        _read_rows(reader, result)
    except csv.Error as error:
        result.errors.append(
            RowError(reader.line_num or 1, _("The file is not valid CSV: %(reason)s", reason=str(error)))
        )
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, _("The file has a header but no employees.")))
    return result


def _read_rows(reader, result: EmployeeFile) -> None:
    header = next(reader)
    columns, header_errors = _map_header(header)
    if header_errors:
        result.errors.extend(RowError(1, message) for message in header_errors)
        return
    seen: dict[tuple[str, str], int] = {}
    emails: dict[str, str] = {}
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        line = reader.line_num
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(RowError(line, _("The file has more than %(n)d rows.", n=MAX_ROWS)))
            break
        row, problems = _parse_row(line, values, header, columns)
        problems += _duplicates(row, seen, emails) if row else []
        if problems:
            result.errors.append(RowError(line, " ".join(problems)))
        elif row:
            result.rows.append(row)


def _map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    errors = []
    for index, name in enumerate(header):
        column = HEADER_LOOKUP.get(fold(name))
        if column is None:
            errors.append(_("Unknown column “%(name)s”.", name=name.strip()))
        elif column in columns:
            errors.append(_("The column “%(name)s” appears twice.", name=name.strip()))
        else:
            columns[column] = index
    for column, display_name in REQUIRED_COLUMNS.items():
        if column not in columns:
            errors.append(_("The column “%(name)s” is missing.", name=display_name))
    has_name = "full_name" in columns or {"first_name", "last_name"} <= columns.keys()
    if not has_name:
        errors.append(_("A column “namn” (or both “förnamn” and “efternamn”) is missing."))
    return columns, errors


def _parse_row(
    line: int, values: list[str], header: list[str], columns: dict[str, int]
) -> tuple[EmployeeRow | None, list[str]]:
    if len(values) > len(header):
        return None, [_("The row has more fields than the header; check the separators.")]
    cell = {name: values[index].strip() if index < len(values) else "" for name, index in columns.items()}
    problems = []
    username = cell["username"].lower()
    if not USERNAME_PATTERN.match(username):
        problems.append(
            _(
                "Username “%(value)s” is not valid (2–64 characters: a–z, 0–9, dot, dash, underscore).",
                value=cell["username"],
            )
        )
    full_name = cell.get("full_name") or f"{cell.get('first_name', '')} {cell.get('last_name', '')}".strip()
    if not full_name:
        problems.append(_("The name is missing."))
    elif len(full_name) > 120:
        problems.append(_("The name is longer than 120 characters."))
    email = _email(cell.get("email", ""), problems)
    if not cell["unit"]:
        problems.append(_("The unit is missing."))
    position = POSITION_LOOKUP.get(fold(cell["position"]))
    if position is None:
        problems.append(_("Unknown position “%(value)s”.", value=cell["position"]))
    start_date = _start_date(cell.get("start_date", ""), problems)
    if problems or position is None:
        return None, problems
    return EmployeeRow(line, username, full_name, email, cell["unit"], position, start_date), []


def _email(value: str, problems: list[str]) -> str | None:
    if not value:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        problems.append(_("Email address “%(value)s” is not valid.", value=value))
        return None


def _start_date(value: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(_("Start date “%(value)s” is not a date like 2026-01-31.", value=value))
        return None


def _duplicates(row: EmployeeRow, seen: dict[tuple[str, str], int], emails: dict[str, str]) -> list[str]:
    problems = []
    key = (row.username, fold(row.unit_name))
    if key in seen:
        problems.append(_("The same person and unit are already on row %(line)d.", line=seen[key]))
    seen.setdefault(key, row.line)
    if row.email:
        owner = emails.setdefault(row.email.lower(), row.username)
        if owner != row.username:
            problems.append(
                _("The email address is already used by %(username)s in the file.", username=owner)
            )
    return problems
