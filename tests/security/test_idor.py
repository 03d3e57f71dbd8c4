"""IDOR: another organisation's objects, and a unit one does not manage, do not exist for you.

Every route with an id or a slug in its path is listed here, found from the URL map: either with the
addresses that name an organisation's own objects (the matrix's, and local material's by slug), or as
shared with the reason why (national material, a public demo run, the public verification page). A
new route with a path argument fails the first test until it is put in one or the other.

A person of a second organisation with the same role (learner, manager, author, admin) asks for each
address of the first organisation's objects: the answer is 404 (403 where the matrix says that the
route refuses everyone but the owner), nothing of the first organisation is in it, and nothing in the
database changed. In the first organisation, a manager of another unit asks for the learner's person
routes: 404 as well.
"""

import pytest
import sqlalchemy as sa

import tests.test_authorisation_matrix as matrix
from portal.assessment.statistics import refresh_statistics
from portal.extensions import db
from portal.models import Membership, Module, Organisation, QuizVersion, Role, Unit, UnitKind, User
from tests.conftest import sign_in
from tests.test_authorisation_matrix import MATRIX

app, world = matrix.app, matrix.world  # the matrix's world: its fixtures, used here too

ROLES = ("learner", "manager", "author", "admin")
# Shared on purpose: the reason is the design's, the addresses name no organisation's object.
SHARED = {
    "learning.module": "national modules by slug, for everyone (a local module: LOCAL_ADDRESSES)",
    "learning.section": "national modules by slug (a local module: LOCAL_ADDRESSES)",
    "learning.complete": "national modules by slug (a local module: LOCAL_ADDRESSES)",
    "learning.watched": "national modules by slug (a local module: LOCAL_ADDRESSES)",
    "learning.media": "national modules' media by slug (a local module's behind learning.module's lookup)",
    "assessment.start": "national quizzes by slug (a local module's: LOCAL_ADDRESSES)",
    "assessment.statistics_detail": "national quizzes' statistics (a local quiz: LOCAL_ADDRESSES)",
    "assessment.statistics_csv": "national quizzes' statistics (a local quiz: LOCAL_ADDRESSES)",
    "authoring.national_module": "national material, read by every organisation's authors",
    "authoring.export_national": "national material, read by every organisation's authors",
    "authoring.new": "the argument is a kind of item, not an object",
    "authoring.statistics_module": "the figures are always the reader's own organisation's",
    "authoring.statistics_exercise": "a national scenario; the figures are the reader's own organisation's",
    "simulator.start_exercise": "a national scenario",
    "certification.verify": "the public verification page: the code is the secret",
}
SHARED_IDS = {
    "{demo}": "a demo run is anyone's who has its link",
    "{code}": "the public verification page",
    "{quiz}": "a national quiz: its statistics are everyone's, without names",
}
# Addresses of the first organisation's local material by slug (and its local quiz's statistics).
LOCAL_ADDRESSES = {
    "learning.module": [("GET", "/learning/modules/lokal-modul")],
    "learning.section": [("GET", "/learning/modules/lokal-modul/inledning")],
    "learning.complete": [("POST", "/learning/modules/lokal-modul/inledning/complete")],
    "learning.watched": [("POST", "/learning/modules/lokal-modul/inledning/watched")],
    "assessment.start": [("POST", "/learning/modules/lokal-modul/prov/attempts")],
    "assessment.statistics_detail": [("GET", "/authoring/statistics/quizzes/{local_quiz}")],
    "assessment.statistics_csv": [("GET", "/authoring/statistics/quizzes/{local_quiz}.csv")],
    "authoring.statistics_module": [("GET", "/authoring/statistics/modules/lokal-modul")],
}
# Refused to everyone but the owner, inside the organisation too: the matrix's 403 is the design.
OWNER_ONLY = {"assessment.question", "assessment.answer", "assessment.summary", "assessment.submit",
              "assessment.result"}  # fmt: skip
# A person's routes: a manager of another unit of the same organisation must not reach them.
PERSON_ROUTES = {"competence.employee", "competence.assign", "competence.remind", "certification.certificate",
                 "certification.revoke"}  # fmt: skip


def routes_with_arguments(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.arguments} - matrix.NOT_IN_MATRIX


def addresses(endpoint: str) -> list[tuple[str, str]]:
    """(method, address template) naming an organisation's object, from the matrix and LOCAL_ADDRESSES."""
    own = [
        (expect.method, expect.url)
        for expect in MATRIX[endpoint]
        if "{" in expect.url and not any(shared in expect.url for shared in SHARED_IDS)
    ]
    if endpoint == "authoring.question_edit":  # the statistics' link names the local module by slug
        own = [(expect.method, expect.url) for expect in MATRIX[endpoint]]
    return own + LOCAL_ADDRESSES.get(endpoint, [])


def test_every_route_with_an_id_or_slug_is_probed_or_shared_for_a_reason(app):
    unaccounted = sorted(e for e in routes_with_arguments(app) if not addresses(e) and e not in SHARED)
    assert not unaccounted, f"routes with a path argument, neither probed nor in SHARED: {unaccounted}"
    assert not SHARED.keys() - routes_with_arguments(app), "SHARED names routes that no longer exist"


def status_at_home(endpoint: str, method: str, template: str, role: str) -> int:
    """What the role gets in its own organisation: the matrix's entry for the address, or for another
    address of the route (for LOCAL_ADDRESSES)."""
    same = [e for e in MATRIX[endpoint] if e.method == method]
    return next((e.statuses[role] for e in same if e.url == template), same[0].statuses[role])


def expected_for_stranger(endpoint: str, method: str, template: str, role: str) -> int:
    """403 where the role is refused the route at home, or the route is its owner's alone; else 404."""
    if status_at_home(endpoint, method, template, role) == 403 or endpoint in OWNER_ONLY:
        return 403
    return 404


# The two organisations ----------------------------------------------------------------------------
@pytest.fixture
def strangers(world, make_user) -> dict[str, User]:
    """A second organisation with one person in each role; and, in the first, a manager of another unit."""
    users, _ = world
    first = users["learner"].organisation
    users["learner"].full_name = "Ingrid Idorsdotter"  # a name no other page has
    second = Organisation(name="Grannkommun", code="grannkommun", review_required=False)
    db.session.add(second)
    db.session.flush()
    their_unit = Unit(organisation_id=second.id, name="Hemtjänst Väst", kind=UnitKind.HOME_CARE)
    our_other_unit = Unit(organisation_id=first.id, name="Hemtjänst Norr", kind=UnitKind.HOME_CARE)
    db.session.add_all([their_unit, our_other_unit])
    db.session.commit()
    people = {
        "learner": make_user(second, username="granne.learner", unit=their_unit),
        "manager": make_user(second, username="granne.manager", roles={Role.MANAGER}, manages=[their_unit]),
        "author": make_user(second, username="granne.author", roles={Role.AUTHOR}),
        "admin": make_user(second, username="granne.admin", roles={Role.ADMIN}),
        "neighbour": make_user(
            first, username="norr.manager", roles={Role.MANAGER}, manages=[our_other_unit]
        ),
    }
    for person in people.values():
        person.full_name = f"Granne {person.username}"
    db.session.commit()
    return people


def world_ids(ids: dict) -> dict:
    """The matrix's ids and the local quiz's version, analysed (its statistics are the organisation's
    own)."""
    local_quiz = db.session.scalar(
        sa.select(QuizVersion)
        .join(Module, QuizVersion.module_id == Module.id)
        .where(Module.slug == "lokal-modul")
    )
    refresh_statistics(local_quiz)
    db.session.commit()
    return {**ids, "local_quiz": local_quiz.id}


def secrets_of_the_first_organisation(ids: dict) -> list[bytes]:
    """What of the first organisation no stranger may read."""
    return [
        text.encode()
        for text in ("Ingrid Idorsdotter", "Exempelkommun", "Hemtjänst Centrum", "Läs detta", ids["code"])
    ]


def database_fingerprint() -> int:
    """How many rows were ever inserted, updated or deleted: the world is one in-memory SQLite database
    on one connection, which counts them."""
    raw = db.engine.raw_connection()
    try:
        return raw.driver_connection.total_changes
    finally:
        raw.close()


def ask(client, method: str, url: str):
    with client.open(url, method=method) as response:
        return response.status_code, response.get_data()


PROBED = sorted(e for e in MATRIX if addresses(e))
FEATURES = sorted({endpoint.split(".")[0] for endpoint in PROBED})


@pytest.mark.parametrize("feature", FEATURES)
def test_another_organisation_with_the_same_role_finds_nothing(client, world, strangers, feature):
    """Every address of the feature's routes, by each role of the second organisation."""
    _, ids = world
    ids = world_ids(ids)
    secrets = secrets_of_the_first_organisation(ids)
    before = database_fingerprint()
    for endpoint in (e for e in PROBED if e.startswith(f"{feature}.")):
        for role in ROLES:
            sign_in(client, strangers[role])
            for method, template in addresses(endpoint):
                status, body = ask(client, method, template.format(**ids))
                expected = expected_for_stranger(endpoint, method, template, role)
                assert status == expected, f"{role} of another organisation: {method} {template} -> {status}"
                assert not [secret for secret in secrets if secret in body], f"{role}: {method} {template}"
        assert database_fingerprint() == before, f"{endpoint}: a stranger's request changed something"


def test_a_manager_of_another_unit_finds_no_person_outside_it(client, world, strangers):
    _, ids = world
    before = database_fingerprint()
    sign_in(client, strangers["neighbour"])
    for endpoint in sorted(PERSON_ROUTES):
        for method, template in addresses(endpoint):
            status, body = ask(client, method, template.format(**ids))
            assert status == 404, f"{method} {template} -> {status}"
            assert b"Ingrid Idorsdotter" not in body
    assert database_fingerprint() == before


def test_ones_own_id_with_another_organisations_second_id_changes_nothing(client, world, strangers):
    """Two ids in one path: the second is checked against the first (another organisation's membership
    under one's own person)."""
    _, ids = world
    their_person = strangers["learner"]
    before = database_fingerprint()
    sign_in(client, strangers["admin"])
    status, _ = ask(client, "POST", f"/admin/users/{their_person.id}/memberships/{ids['membership']}/end")
    assert status in (302, 404)
    assert database_fingerprint() == before
    assert db.session.get(Membership, ids["membership"]).ended_on is None


@pytest.mark.parametrize("endpoint", ["authoring.statistics_module", "authoring.statistics_exercise",
                                      "assessment.statistics_detail", "assessment.statistics_csv"])  # fmt: skip
def test_shared_pages_show_a_stranger_only_their_own_organisation(client, world, strangers, endpoint):
    """National material's statistics: the figures of the reader's organisation, or of everyone
    without names; never the first organisation's people."""
    _, ids = world
    for role in ("author", "admin"):
        sign_in(client, strangers[role])
        for expect in MATRIX[endpoint]:
            status, body = ask(client, expect.method, expect.url.format(**ids))
            assert b"Ingrid Idorsdotter" not in body, (role, status)
            assert b"Exempelkommun" not in body, (role, status)


def test_the_probes_reach_real_objects_at_home(client, world):
    """The addresses are right: in the first organisation, the role that may see each one does."""
    users, ids = world
    ids = world_ids(ids)
    for entries in LOCAL_ADDRESSES.values():
        for method, template in entries:
            sign_in(client, users["author" if "statistics" in template else "learner"])
            status, _ = ask(client, method, template.format(**ids))
            assert status not in (403, 404), f"{method} {template} -> {status} at home"


def test_the_fingerprint_sees_a_change(world):
    before = database_fingerprint()
    db.session.execute(sa.update(User).values(full_name="Ändrad"))
    db.session.commit()
    assert database_fingerprint() != before
