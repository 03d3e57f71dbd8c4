"""A learner's certifications: status and dates, what is left, what to renew."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.certification.services import apply_rules, evaluate, local_today
from portal.certification.sync import load_certifications, sync_certifications
from portal.content.loader import load_modules
from portal.content.sync import sync_modules
from portal.extensions import db
from portal.models import Assignment, CertificationCycle, Module, ModuleCompletion
from tests.certification.test_lifecycle import DEFINITION, moment
from tests.content.builders import write_quiz_module


@pytest.fixture
def anna(app, client, login, tmp_path, org, make_unit, make_user):
    modules, certifications = tmp_path / "modules", tmp_path / "certifications"
    modules.mkdir()
    certifications.mkdir()
    write_quiz_module(modules)
    (certifications / "larm.yaml").write_text(DEFINITION.format(base="previous_expiry"), encoding="utf-8")
    sync_modules(load_modules(modules))
    sync_certifications(load_certifications(certifications, {"prov"}))
    person = make_user(org, username="anna", unit=make_unit(org))
    apply_rules(local_today())
    db.session.commit()
    login(person)
    return person


def test_an_assigned_certification_shows_its_due_day_and_what_is_left(client, anna):
    page = client.get("/learning/certifications").text
    assert "Mina behörigheter" in page
    assert "Larmbehörighet" in page
    assert "Inte påbörjad" in page
    assert "Kvar att göra:" in page
    assert 'href="/learning/modules/prov"' in page
    dashboard = client.get("/learning/").text
    assert "Larmbehörighet" in dashboard
    assert 'href="/learning/certifications"' in dashboard


def test_a_certified_learner_sees_the_dates_and_the_certificate(client, anna):
    module = db.session.scalar(sa.select(Module))
    db.session.add(ModuleCompletion(user_id=anna.id, module_version_id=module.current_version_id,
                                    completed_at=moment(local_today())))  # fmt: skip
    db.session.commit()
    evaluate(anna.id)
    db.session.commit()
    page = client.get("/learning/certifications").text
    assert "Certifierad" in page
    assert "Giltig till" in page
    cycle = db.session.scalar(sa.select(CertificationCycle))
    assert f"/certificates/{cycle.id}.pdf" in page


def test_an_overdue_learner_sees_it(client, anna):
    assignment = db.session.scalar(sa.select(Assignment))
    assignment.due_on = date.today() - timedelta(days=3)
    db.session.commit()
    page = client.get("/learning/certifications").text
    assert "Försenad" in page
