"""The matrix and its files cost the same few SQL statements for 20 people as for 2,000 (× 10
certifications)."""

import pytest

from portal.certification.services import local_today
from portal.models import Role
from tests.competence.builders import add_staff, make_certifications
from tests.statements import recorded_statements

MAX_STATEMENTS = 10


def statements_of(client, url: str) -> list[str]:
    with recorded_statements() as seen, client.get(url) as response:  # closed: XLSX is sent from a file
        assert response.status_code == 200, response.text[:300]
        response.get_data()  # the CSV file streams as it is read
    return seen


@pytest.mark.parametrize("people", [20, 2_000])
def test_the_matrix_runs_a_fixed_number_of_statements(app, client, login, org, make_unit, make_user, people):
    units = [make_unit(org, name) for name in ("Hemtjänst Centrum", "Hemtjänst Norr", "Nattpatrullen")]
    manager = make_user(org, username="chef", roles={Role.MANAGER}, manages=units)
    certifications = make_certifications(10)
    add_staff(org, units, people, certifications, local_today())
    login(manager)
    # The first request in a process parses each certification version's YAML once (one query each);
    # the cache is the service's, so measure a warm request as every later one is.
    client.get("/competence/?sort=status")
    counts = {}
    urls = ("/competence/", "/competence/?sort=status&status=overdue", "/competence/print",
            "/competence/export.csv", "/competence/export.xlsx?status=overdue")  # fmt: skip
    for url in urls:
        statements = statements_of(client, url)
        counts[url] = len(statements)
        assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    assert counts["/competence/"] == 7, "the user, the units, the certifications, the people, 3 for the cells"
    assert counts["/competence/export.csv"] == 7, "the same for a file, not a batch of queries per 100 people"
