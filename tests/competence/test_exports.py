"""The CSV and XLSX files: read back, they say what the matrix says, with the matrix's filters."""

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError

from portal.certification.services import active_certifications
from portal.competence import matrix as matrix_module
from portal.competence.labels import STATUS_LABELS
from portal.competence.matrix import Filters, build
from portal.extensions import db
from portal.labels import POSITION_LABELS
from portal.models import Membership, Position, User
from tests.competence.builders import add_staff

HEADER_MSGIDS = [
    "Name", "Username", "Units", "Position", "Certification", "Status", "Certified on", "Valid until",
    "Due date",
]  # fmt: skip


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:300]
    assert response.mimetype == "text/csv"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf"), "a byte order mark, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def xlsx_bytes(client, url: str) -> bytes:
    with client.get(url) as response:  # closed, as a server does: the file it sends is then gone
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return response.data


def read_xlsx(client, url: str) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(client, url)), read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    width = len(rows[0])
    return [row + [None] * (width - len(row)) for row in rows]  # empty cells at the end are not written


def expected_rows(app, manager, filters: Filters, today: date) -> list[list[object]]:
    """The matrix, flattened as the files are (Swedish words, dates as dates), in the order of `ordered`."""
    built = build(manager, active_certifications(), filters, today, paginate=False)
    units = {u.id: u.name for u in manager.managed_units}
    with app.test_request_context(), force_locale("sv"):
        statuses = {status: str(label) for status, label in STATUS_LABELS.items()}
        positions = {position: str(label) for position, label in POSITION_LABELS.items()}
        header = [_(msgid) for msgid in HEADER_MSGIDS]
    lines = [header]
    for row in built.rows:
        person = row.person
        for certification, cell in zip(built.columns, row.cells, strict=True):
            lines.append([
                person.name, person.username, ", ".join(units[u] for u in person.unit_ids),
                ", ".join(positions[p] for p in person.positions), certification.current_version.title["sv"],
                statuses[cell.status], cell.certified_on, cell.valid_until, cell.due_on,
            ])  # fmt: skip
    return lines


def as_csv(lines: list[list[object]]) -> list[list[str]]:
    return [
        ["" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in line]
        for line in lines
    ]


def as_dates(rows: list[list[object]]) -> list[list[object]]:
    return [[v.date() if isinstance(v, datetime) else v for v in row] for row in rows]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "unit={natt}",
        "position=care_assistant",
        "status=overdue",
        "certification={c2}",
        "q=berg&sort=status",
    ],
)
def test_csv_is_the_matrix(app, as_karin, team, query):
    query = query.format(natt=team.natt.id, c2=team.c2.id)
    filters = _filters(query, team)
    rows = read_csv(as_karin.get(f"/competence/export.csv?{query}"))
    expected = as_csv(expected_rows(app, team.karin, filters, team.today))
    assert rows[0] == expected[0]
    assert rows[0][0] == "Namn", "headers in Swedish"
    assert same_rows(rows, expected)


@pytest.mark.parametrize("query", ["", "unit={natt}&status=revoked"])
def test_xlsx_is_the_matrix(app, as_karin, team, query):
    query = query.format(natt=team.natt.id)
    rows = as_dates(read_xlsx(as_karin, f"/competence/export.xlsx?{query}"))
    expected = expected_rows(app, team.karin, _filters(query, team), team.today)
    assert same_rows(rows, [[None if v == "" else v for v in line] for line in expected])


def same_rows(rows: list[list], expected: list[list]) -> bool:
    """The same header and the same lines. The files come in the database's name order (its collation),
    the matrix in Swedish alphabetical order: only each person's lines must be together, in column order."""

    def key(line: list) -> tuple:
        return tuple("" if value is None else str(value) for value in line)

    people = [line[1] for line in rows[1:]]
    together = all(
        name == people[index - 1] or name not in people[:index] for index, name in enumerate(people) if index
    )
    return (
        rows[0] == expected[0] and together and sorted(map(key, rows[1:])) == sorted(map(key, expected[1:]))
    )


def _filters(query: str, team) -> Filters:
    values = dict(part.split("=") for part in query.split("&") if part)
    return Filters(
        q=values.get("q", ""),
        unit_id=int(values["unit"]) if "unit" in values else None,
        position=Position(values["position"]) if "position" in values else None,
        status=values.get("status"),
        certification_id=int(values["certification"]) if "certification" in values else None,
    )


def test_dates_are_iso_and_the_file_names_carry_the_day(as_karin, team):
    response = as_karin.get("/competence/export.csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kompetens-{team.today.isoformat()}.csv"'
    )
    anna = [row for row in read_csv(response) if row[0] == "Anna Ek"]
    valid_until = team.today + timedelta(days=600)
    assert anna[0][6:] == [(valid_until - timedelta(days=730)).isoformat(), valid_until.isoformat(), ""]
    assert anna[1][6:] == ["", "", (team.today - timedelta(days=5)).isoformat()]
    with as_karin.get("/competence/export.xlsx") as xlsx:
        assert f"filename=kompetens-{team.today.isoformat()}.xlsx" in xlsx.headers["Content-Disposition"]
        workbook = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert workbook.worksheets[0]["H2"].number_format == "yyyy-mm-dd"
    assert workbook.worksheets[0].freeze_panes == "A2"


def test_lars_files_hold_his_people_only(as_lars, team):
    names = {row[0] for row in read_csv(as_lars.get("/competence/export.csv"))[1:]}
    assert names == {"Lars Ek", "Sofia Lund"}
    names = {row[0] for row in read_xlsx(as_lars, "/competence/export.xlsx")[1:]}
    assert names == {"Lars Ek", "Sofia Lund"}


def test_text_that_excel_would_run_is_kept_as_text(as_karin, team):
    team.people["linnea"].full_name = '=HYPERLINK("http://evil.example","Linnéa")'
    db.session.commit()
    rows = read_csv(as_karin.get("/competence/export.csv?q=hyperlink"))
    assert {row[0] for row in rows[1:]} == {'\'=HYPERLINK("http://evil.example","Linnéa")'}
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(as_karin, "/competence/export.xlsx?q=hyperlink")))
    cell = workbook.worksheets[0]["A2"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://evil.example","Linnéa")')


def test_control_characters_in_a_name_are_left_out_of_the_workbook(as_karin, team):
    team.people["linnea"].full_name = "Linnéa\x01 Holm\x1f"  # e.g. from an imported file
    db.session.commit()
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(as_karin, "/competence/export.xlsx?q=holm")))
    assert workbook.worksheets[0]["A2"].value == "Linnéa Holm"


def test_the_csv_streams_everyone_once_with_their_lines_together(as_karin, team):
    response = as_karin.get("/competence/export.csv")
    assert response.is_streamed
    rows = read_csv(response)
    assert sorted(row[0] for row in rows[1::3]) == sorted(
        ["Anna Ek", "Cecilia Dahl", "Karin Berg", "Linnéa Holm", "Åsa Öberg", "Östen Berg"]
    ), "every person once, with their three lines together"
    assert len(rows) == 1 + 6 * 3


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bad_filters_are_refused_and_foreign_units_not_found(as_karin, team, kind):
    response = as_karin.get(f"/competence/export.{kind}?status=bogus")
    assert response.status_code == 400
    assert (
        "The filters could not be understood (Status: Choose one of the options in the list.)"
        in response.text
    )
    with as_karin.get(f"/competence/export.{kind}?unit={team.norr.id}") as response:
        assert response.status_code == 404


def test_the_demo_matrix_and_its_file_agree(app, client, demo):
    from portal.certification.services import local_today
    from portal.demo.seed import DEMO_PASSWORD

    client.post("/login", data={"username": "karin", "password": DEMO_PASSWORD})
    rows = read_csv(client.get("/competence/export.csv"))
    assert same_rows(rows, as_csv(expected_rows(app, demo["karin"], Filters(), local_today())))
    assert len(rows) == 1 + 9 * 4  # the nine people in karin's units × the four national certifications


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_database_failing_while_the_rows_are_read_gives_an_error_page_not_half_a_file(
    as_karin, team, monkeypatch, kind
):
    """The rows are read before the response begins: a failure is the friendly 503, not a cut download."""

    def unavailable(*_args, **_kwargs):
        raise OperationalError("SELECT …", {}, Exception("the database went away"))

    monkeypatch.setattr(matrix_module, "load_people", unavailable)
    with as_karin.get(f"/competence/export.{kind}") as response:
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert response.mimetype == "text/html"


def test_the_files_of_each_unit_are_the_matrix_of_that_unit_and_together_everyone(app, as_karin, team):
    """With a hundred more people over karin's two units and lars's: each unit's files hold that unit's
    matrix (a person in two units in both), none of lars's people, and together everyone of karin's."""
    units = [team.centrum, team.natt, team.norr]
    add_staff(team.karin.organisation, units, 100, team.certifications, team.today, seed=11)

    def members_of(unit) -> set[str]:
        current = (Membership.unit_id == unit.id) & Membership.ended_on.is_(None)
        return set(db.session.scalars(sa.select(User.username).join(Membership).where(current, User.active)))

    lars_people = members_of(team.norr)
    seen: set[str] = set()
    for unit in (team.centrum, team.natt):
        filters = Filters(unit_id=unit.id)
        expected = expected_rows(app, team.karin, filters, team.today)
        rows = read_csv(as_karin.get(f"/competence/export.csv?unit={unit.id}"))
        assert same_rows(rows, as_csv(expected))
        workbook = as_dates(read_xlsx(as_karin, f"/competence/export.xlsx?unit={unit.id}"))
        assert same_rows(workbook, [[None if v == "" else v for v in line] for line in expected])
        usernames = {row[1] for row in rows[1:]}
        assert usernames == members_of(unit)
        assert not usernames & lars_people
        seen |= usernames
    everyone = {row[1] for row in read_csv(as_karin.get("/competence/export.csv"))[1:]}
    assert seen == everyone
    assert len(everyone) > 40
