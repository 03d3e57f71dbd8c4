"""Public verification by code (live status, nothing personal beyond the name), the limit on guessing,
and revocation by a manager or administrator."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.app import create_app
from portal.certification.core.status import add_months
from portal.certification.services import local_today
from portal.certification.verification import group_code
from portal.extensions import db
from portal.models import (
    AuditEvent,
    CertificationCycle,
    CycleState,
    Role,
    VerificationMiss,
    utcnow,
)
from tests.certification.test_certificate import certify, make_certification
from tests.conftest import base_config

UNKNOWN = "ABCDEFGHJKLMNPQRSTUVWXYZ23"


@pytest.fixture
def people(org, make_org, make_unit, make_user):
    centrum, norr = make_unit(org, "Hemtjänst Centrum"), make_unit(org, "Hemtjänst Norr")
    other = make_org("Annankommun")
    return {
        "anna": make_user(org, username="anna", unit=centrum),
        "karin": make_user(
            org, username="karin", roles={Role.LEARNER, Role.MANAGER}, unit=centrum, manages=[centrum]
        ),
        "lars": make_user(
            org, username="lars", roles={Role.LEARNER, Role.MANAGER}, unit=norr, manages=[norr]
        ),
        "admin": make_user(org, username="admin", roles={Role.ADMIN}),
        "foreign_admin": make_user(other, username="admin2", roles={Role.ADMIN}),
    }


@pytest.fixture
def certification(app):
    return make_certification()


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")  # English msgids: the tests do not depend on the translation


def stored(cycle_id: int) -> CertificationCycle:
    """The cycle as the database has it now (the requests ran in sessions of their own)."""
    db.session.expire_all()
    return db.session.get(CertificationCycle, cycle_id)


def page_text(response) -> str:
    main = response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_valid_certificate(client, english, people, certification):
    cycle = certify(people["anna"], certification, add_months(local_today(), -3))
    response = client.get(f"/verify/{cycle.verification_code}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Status: ✓ Valid" in text
    assert "The certificate is genuine and valid." in text
    assert "Authorised to respond to social alarms" in text
    assert people["anna"].full_name in text
    assert "Exempelkommun" in text
    assert group_code(cycle.verification_code) in text
    for private in ("anna@example.com", "Hemtjänst", "anna</"):  # no email, no unit, no username
        assert private not in response.text
    assert "Download" not in text  # the public sees no actions
    assert "Revoke" not in text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_dates_shown(client, english, people, certification):
    cycle = certify(people["anna"], certification, date(2026, 3, 2), today=date(2026, 3, 2))
    text = page_text(client.get(f"/verify/{cycle.verification_code}"))
    assert "Certified on Mar 2, 2026" in text
    assert "Valid until Mar 2, 2028" in text


def test_the_renewal_window(client, english, people, certification):
    cycle = certify(people["anna"], certification, add_months(local_today(), -23))
    text = page_text(client.get(f"/verify/{cycle.verification_code}"))
    assert "Status: ↻ Valid, due for renewal" in text
    assert "Its holder is due to renew it by" in text


def test_an_expired_certificate(client, english, people, certification):
    cycle = certify(people["anna"], certification, date(2020, 1, 15))
    response = client.get(f"/verify/{cycle.verification_code}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Status: ✗ Expired" in text
    assert "expired after Jan 15, 2022" in text


def test_a_superseded_certificate_points_to_no_newer_code(client, english, people, certification):
    old = certify(people["anna"], certification, add_months(local_today(), -23))
    new = certify(people["anna"], certification, local_today(), previous=old)
    text = page_text(client.get(f"/verify/{old.verification_code}"))
    assert "Status: ↪ Replaced by a newer certificate" in text
    assert new.verification_code not in text
    assert group_code(new.verification_code) not in text
    assert "Status: ✓ Valid" in page_text(client.get(f"/verify/{new.verification_code}"))


def test_valid_then_revoked_by_the_manager(client, english, login, people, certification):
    cycle = certify(people["anna"], certification, add_months(local_today(), -3))
    assert "Status: ✓ Valid" in page_text(client.get(f"/verify/{cycle.verification_code}"))

    login(people["karin"])
    form = client.get(f"/certificates/{cycle.id}/revoke")
    assert form.status_code == 200
    assert people["anna"].full_name in page_text(form)
    response = client.post(
        f"/certificates/{cycle.id}/revoke", data={"reason": "  Brast i dokumentationen.  "}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{cycle.verification_code}"
    assert "has been revoked" in page_text(client.get(response.headers["Location"]))

    revoked = stored(cycle.id)
    assert revoked.state is CycleState.REVOKED
    assert revoked.revoked_on == local_today()
    assert revoked.revoked_reason == "Brast i dokumentationen."
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certification.revoked"))
    assert event.actor_id == people["karin"].id
    assert event.subject_id == cycle.id
    assert event.details["why"] == "Brast i dokumentationen."

    client.post("/logout")
    text = page_text(client.get(f"/verify/{cycle.verification_code}"))
    assert "Status: ⊘ Revoked" in text
    assert "was revoked on" in text
    assert "Brast i dokumentationen" not in text  # the reason is for the audit trail only


def test_the_verify_page_offers_the_actions_to_those_allowed(client, english, login, people, certification):
    cycle = certify(people["anna"], certification, add_months(local_today(), -3))
    url = f"/verify/{cycle.verification_code}"
    login(people["karin"])
    page = client.get(url).text
    assert f'href="/certificates/{cycle.id}.pdf"' in page
    assert f'href="/certificates/{cycle.id}/revoke"' in page
    client.post("/logout")
    login(people["anna"])
    page = client.get(url).text
    assert f'href="/certificates/{cycle.id}.pdf"' in page
    assert "/revoke" not in page
    client.post("/logout")
    login(people["lars"])
    assert "/certificates/" not in client.get(url).text


# Looking a code up


def test_an_unknown_code_is_not_found(client, english, people, certification):
    certify(people["anna"], certification, local_today())
    for code in (UNKNOWN, "nonsense", "A" * 40):
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404
        assert "No certificate has the code" in page_text(response)
        assert 'name="code"' in response.text  # try again right there


def test_a_code_typed_loosely_leads_to_its_page(client, people, certification):
    cycle = certify(people["anna"], certification, local_today())
    loose = group_code(cycle.verification_code).lower().replace(" ", "-")
    response = client.get(f"/verify/{loose}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{cycle.verification_code}"
    response = client.get(
        "/verify", query_string={"code": f" {group_code(cycle.verification_code).lower()} "}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{cycle.verification_code}"


def test_the_form(client, english):
    page = client.get("/verify")
    assert page.status_code == 200
    assert 'method="get"' in page.text
    assert "error-summary" not in page.text
    empty = client.get("/verify?code=")
    assert empty.status_code == 200
    assert "Enter the code printed on the certificate." in page_text(empty)
    wrong = client.get("/verify?code=ABC-123")
    assert wrong.status_code == 200
    assert "A verification code has 26 letters and digits." in page_text(wrong)
    assert 'value="ABC-123"' in wrong.text
    assert 'aria-invalid="true"' in wrong.text


def test_a_burst_of_guesses_is_stopped(client, english, people, certification):
    cycle = certify(people["anna"], certification, local_today())
    for _ in range(20):
        assert client.get(f"/verify/{UNKNOWN}").status_code == 404
    response = client.get(f"/verify/{UNKNOWN}")
    assert response.status_code == 429
    assert 240 < int(response.headers["Retry-After"]) <= 300
    assert "Try again in 5 minutes" in page_text(response)
    assert client.get(f"/verify/{cycle.verification_code}").status_code == 429  # even a real code
    other = client.get(f"/verify/{cycle.verification_code}", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200  # another address is not held up


def test_found_codes_do_not_count_and_old_misses_are_forgotten(client, people, certification):
    cycle = certify(people["anna"], certification, local_today())
    long_ago = utcnow() - timedelta(minutes=6)
    db.session.add_all(VerificationMiss(remote_addr="127.0.0.1", at=long_ago) for _ in range(50))
    db.session.commit()
    for _ in range(30):
        assert client.get(f"/verify/{cycle.verification_code}").status_code == 200
    assert client.get(f"/verify/{UNKNOWN}").status_code == 404
    remaining = db.session.scalars(sa.select(VerificationMiss.at)).all()
    assert len(remaining) == 1  # the old ones pruned when the new miss was counted


def test_the_client_address_behind_a_proxy(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'proxy.sqlite'}", PROXY_HOPS=1))
    with app.app_context():
        db.create_all()
        client = app.test_client()
        first = {"X-Forwarded-For": "198.51.100.1"}
        for _ in range(20):
            client.get(f"/verify/{UNKNOWN}", headers=first)
        assert client.get(f"/verify/{UNKNOWN}", headers=first).status_code == 429
        assert (
            client.get(f"/verify/{UNKNOWN}", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 404
        )
        assert set(db.session.scalars(sa.select(VerificationMiss.remote_addr))) == {
            "198.51.100.1",
            "198.51.100.2",
        }
        db.session.remove()
        db.engine.dispose()


# Revoking


@pytest.mark.parametrize(
    ("who", "status"),
    [("anna", 403), ("lars", 404), ("foreign_admin", 404), ("karin", 200), ("admin", 200)],
)
def test_who_may_open_the_revoke_form(client, login, people, certification, who, status):
    cycle = certify(people["anna"], certification, local_today())
    login(people[who])
    assert client.get(f"/certificates/{cycle.id}/revoke").status_code == status


@pytest.mark.parametrize("who", ["anna", "lars", "foreign_admin"])
def test_others_cannot_revoke(client, login, people, certification, who):
    cycle = certify(people["anna"], certification, local_today())
    login(people[who])
    response = client.post(f"/certificates/{cycle.id}/revoke", data={"reason": "Nej"})
    assert response.status_code in (403, 404)
    assert stored(cycle.id).state is CycleState.ACTIVE
    assert (
        db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certification.revoked")) is None
    )


def test_anonymous_visitors_are_sent_to_log_in(client, people, certification):
    cycle = certify(people["anna"], certification, local_today())
    response = client.post(f"/certificates/{cycle.id}/revoke", data={"reason": "Nej"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert stored(cycle.id).state is CycleState.ACTIVE


def test_the_administrator_revokes_and_returns_to_a_local_page(client, login, people, certification):
    cycle = certify(people["anna"], certification, local_today())
    login(people["admin"])
    response = client.post(
        f"/certificates/{cycle.id}/revoke", data={"reason": "Fel person", "next": "/competence/employees/1"}
    )
    assert response.headers["Location"] == "/competence/employees/1"
    assert stored(cycle.id).state is CycleState.REVOKED


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_never_an_open_redirect(client, login, people, certification, target):
    cycle = certify(people["anna"], certification, local_today())
    login(people["karin"])
    response = client.post(f"/certificates/{cycle.id}/revoke", data={"reason": "Skäl", "next": target})
    assert response.headers["Location"] == f"/verify/{cycle.verification_code}"


@pytest.mark.parametrize(
    ("reason", "error"),
    [("", "Write why the certificate is revoked."), ("   ", "Write why the certificate is revoked."),
     ("x" * 501, "Write at most 500 characters.")],
)  # fmt: skip
def test_a_reason_is_required(client, english, login, people, certification, reason, error):
    cycle = certify(people["anna"], certification, local_today())
    login(people["karin"])
    response = client.post(f"/certificates/{cycle.id}/revoke", data={"reason": reason})
    assert response.status_code == 200
    assert error in page_text(response)
    assert 'aria-invalid="true"' in response.text
    assert stored(cycle.id).state is CycleState.ACTIVE
    assert (
        db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certification.revoked")) is None
    )


def test_no_revoking_ones_own_certificate(client, english, login, people, certification):
    cycle = certify(people["karin"], certification, local_today())  # karin is in a unit she manages
    login(people["karin"])
    response = client.post(f"/certificates/{cycle.id}/revoke", data={"reason": "Själv"})
    assert response.status_code == 403
    assert "You cannot revoke your own certificate" in page_text(response)
    assert stored(cycle.id).state is CycleState.ACTIVE


def test_only_a_current_certificate_can_be_revoked(client, english, login, people, certification):
    old = certify(people["anna"], certification, add_months(local_today(), -23))
    new = certify(people["anna"], certification, local_today(), previous=old)
    login(people["karin"])
    assert client.post(f"/certificates/{new.id}/revoke", data={"reason": "Första"}).status_code == 302
    for cycle in (old, new):  # superseded, and revoked already (a second click)
        response = client.post(
            f"/certificates/{cycle.id}/revoke", data={"reason": "Andra"}, follow_redirects=True
        )
        assert "Only a current certificate can be revoked" in page_text(response)
    assert stored(old.id).state is CycleState.SUPERSEDED
    assert stored(new.id).revoked_reason == "Första"
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "certification.revoked")
    ).all()
    assert len(events) == 1


def test_revoking_needs_the_csrf_token(app, client, login, people, certification):
    cycle = certify(people["anna"], certification, local_today())
    login(people["karin"])
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    response = client.post(f"/certificates/{cycle.id}/revoke", data={"reason": "Utan token"})
    assert response.status_code == 400
    assert stored(cycle.id).state is CycleState.ACTIVE
    form = client.get(f"/certificates/{cycle.id}/revoke").text
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/certificates/{cycle.id}/revoke", data={"reason": "Med token", "csrf_token": token}
    )
    assert response.status_code == 302
    assert stored(cycle.id).state is CycleState.REVOKED
