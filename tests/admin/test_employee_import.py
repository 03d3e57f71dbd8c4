import io

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.admin.employee_file import decode, parse
from portal.app import create_app
from portal.extensions import db
from portal.models import EmployeeImport, Membership, Position, User
from tests.conftest import base_config

VALID = (
    "användarnamn;namn;e-post;enhet;befattning;startdatum\n"
    "eva.holm;Eva Holm;eva@example.com;Hemtjänst Centrum;undersköterska;2024-01-08\n"
    "johan.sjoberg;Johan Sjöberg;;Hemtjänst Centrum;Vårdbiträde;\n"
    "goran.aberg;Göran Åberg;goran@example.com;Nattpatrullen;usk;2023-05-01\n"
)
ONE_BAD_ROW = VALID + "Nils!;Nils Nilsson;nils@example;Hemtjänst Centrum;astronaut;31/12/2024\n"


@pytest.fixture
def units(org, make_unit):
    return make_unit(org, "Hemtjänst Centrum"), make_unit(org, "Nattpatrullen")


@pytest.fixture
def signed_in_admin(client, login, admin, units):
    login(admin)
    return admin


def upload(client, content: bytes, filename="personal.csv"):
    return client.post(
        "/admin/import", data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def import_file(client, content: bytes):
    """Upload, look at the preview, confirm; returns (preview page, confirm response)."""
    response = upload(client, content)
    assert response.status_code == 302, response.text
    preview = client.get(response.headers["Location"])
    confirm = client.post(response.headers["Location"])
    return preview.text, confirm


def people() -> dict[str, User]:
    return {u.username: u for u in db.session.scalars(sa.select(User).where(User.username != "admin"))}


def test_one_invalid_row_imports_nothing_and_names_it(client, signed_in_admin):
    preview, confirm = import_file(client, ONE_BAD_ROW.encode())
    assert "Filen har 1 fel" in preview
    assert "<td>5</td>" in preview, "the bad row's number as in Excel (header is row 1)"
    for reason in ("Nils!", "nils@example", "astronaut", "31/12/2024"):
        assert reason in preview
    assert 'type="submit">Importera' not in preview
    assert people() == {}
    assert confirm.status_code == 302
    assert people() == {}, "confirming a file with errors still imports nothing"


def test_valid_file_imports_everyone_then_changes_nothing_again(client, signed_in_admin, units):
    centrum, natt = units
    preview, confirm = import_file(client, VALID.encode())
    assert "Ny person" in preview
    assert confirm.status_code == 302
    imported = people()
    assert sorted(imported) == ["eva.holm", "goran.aberg", "johan.sjoberg"]
    eva = imported["eva.holm"]
    assert (eva.full_name, eva.email) == ("Eva Holm", "eva@example.com")
    assert [(m.unit_id, m.position, str(m.started_on)) for m in eva.memberships] == [
        (centrum.id, Position.ASSISTANT_NURSE, "2024-01-08")
    ]
    assert imported["johan.sjoberg"].memberships[0].position == Position.CARE_ASSISTANT
    memberships_before = db.session.scalar(sa.select(sa.func.count(Membership.id)))

    preview, confirm = import_file(client, VALID.encode())
    assert "ändrar ingenting" in preview
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == memberships_before
    assert len(people()) == 3


def test_windows_1252_semicolon_file_from_excel(client, signed_in_admin):
    content = VALID.replace("\n", "\r\n").encode("cp1252")
    assert decode(content)[1] == "windows-1252"
    _preview, confirm = import_file(client, content)
    assert confirm.status_code == 302
    imported = people()
    assert imported["goran.aberg"].full_name == "Göran Åberg"
    assert imported["johan.sjoberg"].full_name == "Johan Sjöberg"


def test_utf8_with_bom_and_commas_and_english_headers(client, signed_in_admin):
    content = (
        "\ufeffusername,first_name,last_name,unit,position\nala.o,Ala,Öberg,Nattpatrullen,night patrol\n"
    )
    content = content.replace("night patrol", "assistant nurse")
    _preview, confirm = import_file(client, content.encode("utf-8"))
    assert people()["ala.o"].full_name == "Ala Öberg"


def test_a_move_ends_the_old_membership_and_starts_the_new(client, signed_in_admin, units):
    import_file(client, VALID.encode())
    moved = VALID.replace(
        "eva.holm;Eva Holm;eva@example.com;Hemtjänst Centrum",
        "eva.holm;Eva Holm;eva@example.com;Nattpatrullen",
    )
    preview, _confirm = import_file(client, moved.encode())
    assert "Slutar på Hemtjänst Centrum" in preview
    eva = people()["eva.holm"]
    assert [m.unit.name for m in eva.current_memberships] == ["Nattpatrullen"]
    assert len(eva.memberships) == 2


def test_unknown_unit_and_foreign_username_are_errors(client, signed_in_admin, make_org, make_user):
    make_user(make_org("Grannkommun"), username="taken.name")
    content = (
        "användarnamn;namn;enhet;befattning\n"
        "new.one;New One;Hemtjänst Söder;undersköterska\n"
        "taken.name;Taken;Nattpatrullen;undersköterska\n"
    )
    preview, _ = import_file(client, content.encode())
    assert "Hemtjänst Söder" in preview
    assert "<td>2</td>" in preview
    assert "upptaget" in preview
    assert "<td>3</td>" in preview
    assert "new.one" not in people()


def test_header_problems_are_reported(client, signed_in_admin):
    preview, _ = import_file(client, b"namn;skostorlek\nEva;38\n")
    assert "skostorlek" in preview
    assert "användarnamn" in preview


def test_binary_and_oversized_files_are_refused(client, signed_in_admin, app):
    response = upload(client, b"\x00\x01PK\x03\x04")
    assert response.status_code == 200
    assert "inte en textfil" in response.text
    app.config["CSV_IMPORT_MAX_BYTES"] = 4096
    response = upload(client, VALID.encode() * 20)
    assert response.status_code == 200
    assert "4 kB" in response.text
    assert db.session.scalar(sa.select(sa.func.count(EmployeeImport.id))) == 0


def test_an_import_is_applied_only_once(client, signed_in_admin):
    response = upload(client, VALID.encode())
    location = response.headers["Location"]
    client.post(location)
    again = client.post(location, follow_redirects=True)
    assert "redan importerats" in again.text


def test_file_extension_is_checked(client, signed_in_admin):
    response = upload(client, VALID.encode(), filename="personal.exe")
    assert response.status_code == 200
    assert "CSV" in response.text


PARSE_APP = create_app(base_config())


@settings(max_examples=300)
@given(st.binary(max_size=2000))
def test_any_bytes_are_decoded_or_refused_with_a_message(data):
    with PARSE_APP.test_request_context():
        if b"\x00" in data:
            with pytest.raises(ValueError, match="textfil"):
                decode(data)
            return
        result = parse(*decode(data))
    assert result.rows or result.errors
    assert all(error.line >= 1 for error in result.errors)


@settings(max_examples=300)
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20), max_size=8),
        max_size=10,
    )
)
def test_any_table_parses_to_rows_or_located_errors(table):
    text = "användarnamn;namn;enhet;befattning\n" + "\n".join(";".join(cells) for cells in table)
    with PARSE_APP.test_request_context():
        result = parse(text)
    for row in result.rows:
        assert row.username == row.username.lower()
        assert row.position in Position
    assert all(error.line >= 1 for error in result.errors)
