"""The matrix as files for egenkontroll (the municipality's own quality control), with the matrix's filters.

One row per person and certification (the long form), not one column per certification: the columns stay
the same whatever certifications exist, every row can be filtered and pivoted in Excel on its own, and a
status and its days sit side by side. Headers, statuses and titles are in Swedish whatever the reader's
language (the file is filed as a record of the municipality); dates are ISO (YYYY-MM-DD).

The rows are read before the response begins (matrix.export_rows: the matrix's queries, so that a failing
database gives an error page, not half a file); then the CSV file is streamed as it is written, and the
XLSX workbook written in openpyxl's write-only mode into a temporary file.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from flask import Response, send_file, stream_with_context
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.competence.labels import STATUS_LABELS
from portal.competence.matrix import Filters, Row, columns_for
from portal.labels import POSITION_LABELS
from portal.models import Certification, User

# The file is made for Excel with Swedish regional settings, as the question statistics' CSV is (see
# assessment/statistics_report.py): UTF-8 with a byte order mark and ";" between fields.
CSV_DELIMITER = ";"
CSV_FLUSH_ROWS = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Vocabulary:
    """Every word the file needs, looked up once in Swedish before the rows stream."""

    headers: list[str]
    statuses: dict[str, str]
    positions: dict[str, str]
    units: dict[int, str]
    titles: list[str]  # per column of the matrix
    sheet: str

    @classmethod
    def swedish(cls, manager: User, certifications: list[Certification], filters: Filters) -> "Vocabulary":
        with force_locale("sv"):
            return cls(
                headers=[
                    _("Name"),
                    _("Username"),
                    _("Units"),
                    _("Position"),
                    _("Certification"),
                    _("Status"),
                    _("Certified on"),
                    _("Valid until"),
                    _("Due date"),
                ],
                statuses={str(status): str(label) for status, label in STATUS_LABELS.items()},
                positions={str(position): str(label) for position, label in POSITION_LABELS.items()},
                units={unit.id: unit.name for unit in manager.managed_units},
                titles=[
                    c.current_version.title.get("sv") or c.slug for c in columns_for(certifications, filters)
                ],
                sheet=_("Competence"),
            )


def table(rows: Iterable[Row], words: Vocabulary, text=str, day=None) -> Iterator[list]:
    """The header, then one line per person and certification. Each distinct text of a person, title or
    status goes through `text` once, and each date through `day` (when given; else dates stay dates)."""
    yield [text(header) for header in words.headers]
    titles = [text(title) for title in words.titles]
    statuses = {status: text(label) for status, label in words.statuses.items()}
    for row in rows:
        person = row.person
        units = ", ".join(words.units[unit_id] for unit_id in person.unit_ids)
        positions = ", ".join(words.positions[str(position)] for position in person.positions)
        who = [text(person.name), text(person.username), text(units), text(positions)]
        for title, cell in zip(titles, row.cells, strict=True):
            dates = (cell.certified_on, cell.valid_until, cell.due_on)
            yield [*who, title, statuses[cell.status], *(map(day, dates) if day else dates)]


def _csv_text(text: str) -> str:
    # Text that Excel would run as a formula gets a leading quote (OWASP's CSV injection advice).
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def csv_chunks(rows: Iterable[Row], words: Vocabulary) -> Iterator[bytes]:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the byte order mark that makes Excel read UTF-8
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    for number, line in enumerate(table(rows, words, _csv_text, _csv_day)):
        writer.writerow(line)
        if number % CSV_FLUSH_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(rows: Iterable[Row], words: Vocabulary, today: date) -> Response:
    return Response(
        stream_with_context(csv_chunks(rows, words)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="kompetens-{today.isoformat()}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


COLUMN_WIDTHS = (28, 16, 28, 20, 40, 22, 13, 13, 13)


def write_xlsx(rows: Iterable[Row], words: Vocabulary, target) -> None:
    """The workbook, row by row (openpyxl's write-only mode keeps no cells in memory), into `target`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(words.sheet)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(COLUMN_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for line in table(rows, words):
        sheet.append([_xlsx_value(sheet, value) for value in line])
    workbook.save(target)


def _xlsx_value(sheet, value: object) -> object:
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot carry: openpyxl refuses them
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, text)  # openpyxl would store it as a formula
        cell.data_type = "s"
        return cell
    return text


def xlsx_response(rows: Iterable[Row], words: Vocabulary, today: date) -> Response:
    target = tempfile.TemporaryFile()  # gone when the response has been sent and closes it
    try:
        write_xlsx(rows, words, target)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    response = send_file(
        target,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"kompetens-{today.isoformat()}.xlsx",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
