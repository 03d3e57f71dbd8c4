"""The manager's competence matrix: who is in it, what each cell says, filters, sorting, pages, compliance,
the lists of who needs attention, the print view, and refused input."""

import re
from datetime import timedelta

import pytest

from portal.certification.services import active_certifications
from portal.competence import matrix as matrix_module
from portal.competence.matrix import Filters, build
from portal.demo.seed import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Position
from tests.competence.conftest import assign, day, table

KARINS = ["Anna Ek", "Cecilia Dahl", "Karin Berg", "Linnéa Holm", "Åsa Öberg", "Östen Berg"]  # Swedish order


def matrix_rows(page: str) -> list[list[str]]:
    return table(page, "Certification status per person")


def names(page: str) -> list[str]:
    return [row[0] for row in matrix_rows(page)[1:]]


def test_karin_sees_the_people_of_her_units_with_every_status_in_words(as_karin, team):
    response = as_karin.get("/competence/")
    assert response.status_code == 200
    rows = matrix_rows(response.text)
    assert rows[0] == [
        "Name",
        "Unit and position",
        "Certification 01",
        "Certification 02",
        "Certification 03",
    ]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert list(by_name) == KARINS  # not lars's, the inactive, the one who left, nor another municipality's
    t = team.today
    assert by_name["Anna Ek"] == [
        "Hemtjänst Centrum Assistant nurse",
        f"✓ Certified valid until {day(t + timedelta(days=600))}",
        f"! Overdue due {day(t - timedelta(days=5))}",
        "– Not assigned",
    ]
    assert by_name["Östen Berg"][1:] == [
        f"↻ Renewal window open valid until {day(t + timedelta(days=20))}",
        f"○ Not started due {day(t + timedelta(days=40))}",
        f"✕ Expired ended {day(t - timedelta(days=10))}",
    ]
    assert by_name["Åsa Öberg"][1:3] == [
        f"⊘ Revoked revoked {day(t - timedelta(days=3))}",
        f"✓ Certified valid until {day(t + timedelta(days=75))}",
    ]
    assert by_name["Cecilia Dahl"][0] == "Hemtjänst Centrum, Nattpatrullen Assistant nurse, Care assistant"
    assert by_name["Linnéa Holm"][1:] == ["– Not assigned"] * 3


def test_status_is_never_colour_alone(as_karin):
    page = as_karin.get("/competence/").text
    assert page.count('class="cell cell-') == 18
    assert page.count('<span class="cstatus-icon" aria-hidden="true">') >= 18
    assert '<th scope="row" class="matrix-name"><a href="/competence/employees/' in page
    assert page.count('<th scope="col"') >= 5
    assert 'class="matrix-scroll" role="region" aria-labelledby="matrix-heading" tabindex="0"' in page


def test_lars_sees_only_his_unit(as_lars):
    page = as_lars.get("/competence/").text
    assert names(page) == ["Lars Ek", "Sofia Lund"]
    assert "Anna Ek" not in page
    assert "Nattpatrullen" not in page


def test_the_menu_leads_managers_to_the_matrix(as_karin):
    assert 'href="/competence/">Competence</a>' in as_karin.get("/").text


def test_compliance_per_unit_and_certification(as_karin):
    rows = table(as_karin.get("/competence/").text, "Share of the people assigned")
    assert rows[0] == ["Unit", "Certification 01", "Certification 02", "Certification 03"]
    # Centrum: c1 assigned to Anna (certified), Östen (window open), Cecilia (not started) -> 2 of 3;
    # c2 Anna (overdue), Östen (not started) -> 0 of 2; c3 Östen (expired), Cecilia (certified) -> 1 of 2.
    assert rows[1] == ["Hemtjänst Centrum", "67% (2 of 3)", "0% (0 of 2)", "50% (1 of 2)"]
    # Natt: c1 Åsa (revoked), Cecilia (not started) -> 0 of 2; c2 Åsa (certified) -> 1 of 1; c3 Cecilia.
    assert rows[2] == ["Nattpatrullen", "0% (0 of 2)", "100% (1 of 1)", "100% (1 of 1)"]
    assert rows[3] == ["All units shown", "50% (2 of 4)", "33% (1 of 3)", "50% (1 of 2)"]  # Cecilia once


def test_compliance_says_when_nobody_is_assigned(as_karin, team):
    rows = table(as_karin.get(f"/competence/?unit={team.natt.id}").text, "Share of the people assigned")
    assert len(rows) == 2, "one unit: no total line"
    rows = table(
        as_karin.get(f"/competence/?position={Position.CARE_ASSISTANT.value}").text,
        "Share of the people assigned",
    )
    assert rows[2][2] == "nobody assigned"  # Nattpatrullen's care assistants (Cecilia, Linnéa): no c2


def test_lists_of_overdue_and_expiring(as_karin, team):
    page = as_karin.get("/competence/").text
    assert "Overdue: 1" in page
    assert table(page, "Overdue: never certified")[1:] == [
        ["Anna Ek", "Certification 02", f"{day(team.today - timedelta(days=5))} (5 days ago)"]
    ]
    assert "Expiring in 0–30 days: 1" in page
    assert "Expiring in 31–60 days: 0" in page
    assert table(page, "Certifications that expire in 0–30 days")[1:] == [
        ["Östen Berg", "Certification 01", f"{day(team.today + timedelta(days=20))} (in 20 days)"]
    ]
    assert table(page, "Certifications that expire in 61–90 days")[1][0] == "Åsa Öberg"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("unit={natt}", ["Cecilia Dahl", "Linnéa Holm", "Åsa Öberg"]),
        ("position=care_assistant", ["Cecilia Dahl", "Linnéa Holm", "Östen Berg"]),
        ("unit={centrum}&position=care_assistant", ["Östen Berg"]),
        ("status=overdue", ["Anna Ek"]),
        ("status=revoked", ["Åsa Öberg"]),
        ("status=not_assigned&certification={c1}", ["Karin Berg", "Linnéa Holm"]),
        ("status=certified&certification={c3}", ["Cecilia Dahl"]),
        ("q=berg", ["Karin Berg", "Åsa Öberg", "Östen Berg"]),
        ("q=LINNEA", ["Linnéa Holm"]),
        ("q=öb", ["Åsa Öberg"]),
        ("q=nobody", []),
    ],
)
def test_filters(as_karin, team, query, expected):
    url = "/competence/?" + query.format(
        natt=team.natt.id, centrum=team.centrum.id, c1=team.c1.id, c3=team.c3.id
    )
    page = as_karin.get(url).text
    if expected:
        assert names(page) == expected
    else:
        assert "Nobody matches the name search and status filter." in page


def test_filtering_a_certification_shows_its_column_only(as_karin, team):
    rows = matrix_rows(as_karin.get(f"/competence/?certification={team.c2.id}").text)
    assert rows[0] == ["Name", "Unit and position", "Certification 02"]
    assert len(rows) == 1 + len(KARINS)


def test_sorting(as_karin):
    assert names(as_karin.get("/competence/?sort=status").text) == [
        "Östen Berg",  # expired
        "Åsa Öberg",  # revoked
        "Anna Ek",  # overdue
        "Cecilia Dahl",  # not started
        "Karin Berg",  # nothing assigned
        "Linnéa Holm",
    ]
    assert names(as_karin.get("/competence/?sort=unit").text) == [
        "Anna Ek", "Cecilia Dahl", "Karin Berg", "Östen Berg",  # Hemtjänst Centrum
        "Linnéa Holm", "Åsa Öberg",  # Nattpatrullen
    ]  # fmt: skip


@pytest.mark.parametrize("sort", ["name", "unit", "status"])
def test_people_of_the_same_name_come_in_the_order_they_were_added(as_karin, team, make_user, sort):
    """Three more Anna Ek (in Nattpatrullen, overdue on c2 like the first): among equals the one added
    first comes first, whatever the sort, on the page and in its lists of who needs attention."""
    for _ in range(3):
        twin = make_user(team.karin.organisation, unit=team.natt, position=Position.CARE_ASSISTANT)
        twin.full_name = "Anna Ek"
        assign(twin, team.c2, team.today - timedelta(days=5))
    db.session.commit()
    page = as_karin.get(f"/competence/?sort={sort}").text
    annas = [row[1] for row in matrix_rows(page)[1:] if row[0] == "Anna Ek"]
    assert annas == ["Hemtjänst Centrum Assistant nurse"] + ["Nattpatrullen Care assistant"] * 3
    assert [row[0] for row in table(page, "Overdue: never certified")[1:]] == ["Anna Ek"] * 4
    links = [int(found) for found in re.findall(r'<a href="/competence/employees/(\d+)">Anna Ek</a>', page)]
    in_overdue_list, in_matrix = links[:4], links[4:]
    assert in_overdue_list == sorted(in_overdue_list), "the same day and name: in the order added"
    assert in_matrix == sorted(in_matrix), "the same name (and unit or status): in the order added"


def test_pages_keep_the_filters(as_karin, monkeypatch):
    monkeypatch.setattr(matrix_module, "PER_PAGE", 4)
    page = as_karin.get("/competence/?sort=status").text
    assert names(page) == ["Östen Berg", "Åsa Öberg", "Anna Ek", "Cecilia Dahl"]
    assert "1–4 of 6 people" in page
    assert "Page 1 of 2" in page
    assert 'href="/competence/?sort=status&amp;page=2" rel="next"' in page
    second = as_karin.get("/competence/?sort=status&page=2").text
    assert names(second) == ["Karin Berg", "Linnéa Holm"]
    assert names(as_karin.get("/competence/?sort=status&page=99").text) == ["Karin Berg", "Linnéa Holm"]
    assert names(as_karin.get("/competence/?page=abc").text)[0] == "Anna Ek"


def test_links_to_the_files_and_print_view_carry_the_filters(as_karin, team):
    page = as_karin.get(f"/competence/?unit={team.natt.id}&status=revoked&page=2").text
    assert f'href="/competence/export.csv?unit={team.natt.id}&amp;status=revoked"' in page
    assert f'href="/competence/export.xlsx?unit={team.natt.id}&amp;status=revoked"' in page
    assert f'href="/competence/print?unit={team.natt.id}&amp;status=revoked"' in page


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "position=captain", "certification=999999", "sort=age", "unit=abc", "q=" + "x" * 101],
)
def test_filters_that_cannot_be_understood_are_refused_clearly(as_karin, query):
    response = as_karin.get("/competence/?" + query)
    assert response.status_code == 400
    assert "Check the form" in response.text
    assert "Certification status per person" not in response.text


def test_an_inactive_certification_is_no_filter(as_karin, team):
    from portal.extensions import db

    team.c3.is_active = False
    db.session.commit()
    response = as_karin.get(f"/competence/?certification={team.c3.id}")
    assert response.status_code == 400
    assert "Certification 03" not in matrix_rows(as_karin.get("/competence/").text)[0]


def test_another_managers_unit_is_not_found(as_karin, team):
    assert as_karin.get(f"/competence/?unit={team.norr.id}").status_code == 404
    assert as_karin.get("/competence/?unit=999999").status_code == 404


def test_print_view_for_egenkontroll(as_karin, team, monkeypatch):
    monkeypatch.setattr(matrix_module, "PER_PAGE", 2)  # the print view is never split into pages
    response = as_karin.get(f"/competence/print?unit={team.centrum.id}&sort=status")
    assert response.status_code == 200
    page = response.text
    assert "Competence – egenkontroll" in page
    assert team.today.strftime("%Y") in page
    assert "Hemtjänst Centrum" in page
    assert "css/competence.css" in page
    rows = table(page, "Certification status per person on")
    assert [row[0] for row in rows[1:]] == ["Östen Berg", "Anna Ek", "Cecilia Dahl", "Karin Berg"]
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert as_karin.get("/competence/print?status=bogus").status_code == 400
    assert as_karin.get(f"/competence/print?unit={team.norr.id}").status_code == 404


def test_the_demo_municipality(client, demo):
    client.set_cookie("lang", "en")
    client.post("/login", data={"username": "karin", "password": DEMO_PASSWORD})
    header, *body = matrix_rows(client.get("/competence/").text)
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    home_care, manager = "Social alarms for home care", "Manager – management and follow-up"
    assert set(rows) == {
        "Anna Lindqvist", "Omar Haddad", "Karin Berg", "Eva Holm", "Johan Sjöberg", "Fatima Ali",
        "Mikael Ström", "Linnéa Dahl", "Göran Åberg",
    }  # fmt: skip
    assert rows["Omar Haddad"][home_care].startswith("✕ Expired")
    assert rows["Fatima Ali"][home_care].startswith("↻ Renewal window open")
    assert rows["Johan Sjöberg"][home_care].startswith("! Overdue")
    assert rows["Anna Lindqvist"][home_care].startswith("◐ In progress")
    assert rows["Eva Holm"][home_care].startswith("✓ Certified")
    assert rows["Karin Berg"][manager].startswith("✓ Certified")
    assert rows["Anna Lindqvist"][manager].startswith("– Not assigned")
    client.post("/logout")
    client.post("/login", data={"username": "lars", "password": DEMO_PASSWORD})
    header, *body = matrix_rows(client.get("/competence/").text)
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(rows) == {"Lars Ek", "Sofia Lund", "Ahmed Yusuf", "Elin Forsberg", "Per Nyström"}
    assert rows["Per Nyström"][home_care].startswith("⊘ Revoked")
    assert rows["Sofia Lund"][home_care].startswith("✕ Expired")
    assert rows["Lars Ek"][manager].startswith("! Overdue")


def test_build_counts_people_before_search_and_status(team):
    certifications = active_certifications()
    built = build(team.karin, certifications, Filters(q="berg", status="expired"), team.today)
    assert [row.person.name for row in built.rows] == ["Östen Berg"]
    assert built.population == len(KARINS)
    assert built.overdue[0].person.name == "Anna Ek", "the lists cover everyone, not only the search"


@pytest.mark.parametrize("url", ["/competence/", "/competence/print"])
def test_names_written_by_the_presenter_are_text(as_karin, team, url):
    """The cells, remind forms, lists of who needs attention and compliance lines are written in Python
    (competence/labels.py): a person's, unit's and certification's name in them stays text."""
    team.people["anna"].full_name = '<b id="x">Anna & "Ek"</b>'
    team.natt.name = "<i>Natt</i>"
    team.c2.current_version.title = {"sv": "<u>C2</u>", "en": "<u>C2</u>"}
    db.session.commit()
    page = as_karin.get(url).text
    for raw in ('<b id="x">', "<i>Natt", "<u>C2"):
        assert raw not in page
    assert "&lt;b id=&#34;x&#34;&gt;Anna &amp; &#34;Ek&#34;&lt;/b&gt;" in page
    assert "&lt;i&gt;Natt&lt;/i&gt;" in page
    assert "&lt;u&gt;C2&lt;/u&gt;" in page
    overdue = table(page, "Overdue: never certified")[1:]
    assert overdue[0][:2] == ['<b id="x">Anna & "Ek"</b>', "<u>C2</u>"]
