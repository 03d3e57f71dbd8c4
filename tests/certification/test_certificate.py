"""The certificate PDF: what it says, in which language, its QR code, and who may download it."""

import hashlib
import io
from datetime import date

import pypdf
import pytest
import segno
import sqlalchemy as sa

from portal.certification.certificate import _qr, certificate_pdf, issue_certificate
from portal.certification.services import definition_of, issue, new_verification_code, revoke
from portal.certification.verification import group_code, normalise_code
from portal.extensions import db
from portal.models import (
    Certification,
    CertificationCycle,
    CertificationVersion,
    Membership,
    Position,
    Role,
    UnitKind,
)

DEFINITION = """\
title: {sv: Behörighet att åtgärda trygghetslarm, en: Authorised to respond to social alarms}
version: "1.0"
requirements:
  - module: prov
validity_months: 24
window_days: 60
"""


def make_certification(slug: str = "larmbehorighet") -> Certification:
    certification = Certification(slug=slug)
    db.session.add(certification)
    db.session.flush()
    version = CertificationVersion(
        certification_id=certification.id,
        version="1.0",
        checksum=hashlib.sha256(DEFINITION.encode()).hexdigest(),
        source=DEFINITION,
        title={"sv": "Behörighet att åtgärda trygghetslarm", "en": "Authorised to respond to social alarms"},
    )
    db.session.add(version)
    db.session.flush()
    certification.current_version_id = version.id
    db.session.commit()
    return certification


def certify(person, certification: Certification, on: date, previous=None, today: date | None = None):
    """A cycle completed `on`, as the services issue it (renewing `previous`, if given)."""
    definition = definition_of(certification.current_version)
    cycle = issue(person, certification, definition, on, previous, today or on)
    db.session.commit()
    return cycle


def pdf_text(document: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.fixture
def holder(org, make_unit, make_user):
    person = make_user(org, username="goran", unit=make_unit(org, "Hemtjänst Centrum"))
    person.full_name = "Göran Åberg-Öst"
    db.session.commit()
    return person


@pytest.fixture
def cycle(holder):
    return certify(holder, make_certification(), date(2026, 3, 2))


def test_the_certificate_names_holder_certification_dates_issuer_and_code(app, cycle):
    app.config["PORTAL_BASE_URL"] = "https://utbildning.exempelkommun.se"
    with app.test_request_context(base_url="http://evil.example"):
        document = certificate_pdf(cycle)
    db.session.commit()
    assert document.startswith(b"%PDF-")
    text = pdf_text(document)
    assert "Trygghetsportalen" in text
    assert "Göran Åberg-Öst" in text  # Swedish letters through the Unicode font
    assert "Behörighet att åtgärda trygghetslarm" in text
    assert "2 mars 2026" in text
    assert "2 mars 2028" in text
    assert "Exempelkommun" in text
    assert group_code(cycle.verification_code) in text
    assert f"https://utbildning.exempelkommun.se/verify/{cycle.verification_code}" in text, "never the Host"
    reader = pypdf.PdfReader(io.BytesIO(document))
    assert reader.metadata.title.endswith("Behörighet att åtgärda trygghetslarm")
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0]["/Annots"]]
    assert (
        f"https://utbildning.exempelkommun.se/verify/{cycle.verification_code}" in links
    )  # the QR code is a link too
    stored = db.session.get(CertificationCycle, cycle.id)
    assert stored.certificate_pdf == document
    assert stored.certificate_language == "sv"
    assert stored.certificate_issued_at is not None


def test_english_for_a_holder_who_chose_english(app, holder, cycle):
    holder.language = "en"
    db.session.commit()
    with app.test_request_context():
        text = pdf_text(certificate_pdf(cycle))
    assert "Authorised to respond to social alarms" in text
    assert "March 2, 2026" in text
    assert "March 2, 2028" in text
    assert "This is to certify that" in text
    assert cycle.certificate_language == "en"


def test_the_stored_document_is_served_again_and_reissuing_keeps_the_code(app, cycle):
    code = cycle.verification_code
    with app.test_request_context():
        first = certificate_pdf(cycle)
        assert certificate_pdf(cycle) is first  # no new drawing on the second download
        assert certificate_pdf(cycle, "sv") is first
        english = issue_certificate(cycle, "en")
    db.session.commit()
    assert cycle.verification_code == code
    assert cycle.certificate_language == "en"
    assert group_code(code) in pdf_text(english)
    assert "Authorised to respond to social alarms" in pdf_text(english)


def test_the_qr_code_is_drawn_module_by_module_from_the_url():
    class Recorder:
        def __init__(self):
            self.dark = set()

        def set_fill_color(self, *_rgb):
            pass

        def rect(self, x, y, w, h, style):
            row, start, length = round(y), round(x), round(w)
            self.dark.update((row, column) for column in range(start, start + length))

    url = "https://portal.example.se/verify/ABCDEFGHJKLMNPQRSTUVWXYZ23"
    recorder = Recorder()
    qr = segno.make_qr(url, error="m")
    size = qr.symbol_size(border=4)[0]
    _qr(recorder, url, 0, 0, size)  # one millimetre per module
    expected = {
        (r, c) for r, row in enumerate(qr.matrix_iter(border=4)) for c, dark in enumerate(row) if dark
    }
    assert recorder.dark == expected


def test_codes_are_printed_in_groups_and_read_back_however_typed():
    code = new_verification_code()
    assert len(code) == 26
    assert normalise_code(code) == code
    assert group_code(code).replace(" ", "") == code
    assert [len(g) for g in group_code(code).split()] == [4, 4, 4, 4, 5, 5]
    assert normalise_code(" " + group_code(code).lower().replace(" ", "-") + " ") == code
    assert normalise_code(code[:-1]) is None
    assert normalise_code(code[:-1] + "0") is None  # 0 is not in the alphabet (nor O, 1, I)
    assert normalise_code(None) is None


# Downloading


def test_the_holder_downloads_the_certificate(client, login, holder, cycle):
    login(holder)
    response = client.get(f"/certificates/{cycle.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="larmbehorighet-goran-aberg-ost-2026-03-02.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert "Göran Åberg-Öst" in pdf_text(response.data)
    again = client.get(f"/certificates/{cycle.id}.pdf")
    assert again.data == response.data  # the stored document, not a new one
    english = client.get(f"/certificates/{cycle.id}.pdf?language=en")
    assert "Authorised to respond to social alarms" in pdf_text(english.data)
    assert client.get(f"/certificates/{cycle.id}.pdf?language=xx").data == english.data


@pytest.fixture
def people(org, make_org, make_unit, make_user, holder):
    centrum = holder.memberships[0].unit
    norr = make_unit(org, "Hemtjänst Norr")
    other = make_org("Annankommun")
    return {
        "holder": holder,
        "colleague": make_user(org, username="colleague", unit=centrum),
        "manager": make_user(org, username="karin", roles={Role.MANAGER}, manages=[centrum]),
        "other_manager": make_user(org, username="lars", roles={Role.MANAGER}, manages=[norr]),
        "author": make_user(org, username="author", roles={Role.AUTHOR}, unit=centrum),
        "admin": make_user(org, username="admin", roles={Role.ADMIN}),
        "foreign_admin": make_user(other, username="admin2", roles={Role.ADMIN}),
        "foreign_manager": make_user(
            other, username="chef2", roles={Role.MANAGER}, manages=[make_unit(other, "Hemtjänst Centrum")]
        ),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("holder", 200),
        ("colleague", 404),  # another learner, even of the same unit
        ("manager", 200),  # manages a unit the holder is in
        ("other_manager", 404),  # manages another unit (lars vs karin)
        ("author", 404),
        ("admin", 200),  # the holder's organisation
        ("foreign_admin", 404),
        ("foreign_manager", 404),
    ],
)
def test_who_may_download(client, login, people, cycle, who, status):
    login(people[who])
    assert client.get(f"/certificates/{cycle.id}.pdf").status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, cycle):
    response = client.get(f"/certificates/{cycle.id}.pdf")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_manager_no_longer_sees_someone_who_left_the_unit(client, login, people, cycle):
    people["holder"].memberships[0].ended_on = date(2026, 6, 30)
    db.session.commit()
    login(people["manager"])
    assert client.get(f"/certificates/{cycle.id}.pdf").status_code == 404


def test_an_unknown_cycle_is_not_found(client, login, holder, cycle):
    login(holder)
    assert client.get(f"/certificates/{cycle.id + 100}.pdf").status_code == 404


def test_a_revoked_certificate_cannot_be_downloaded(client, login, people, cycle):
    revoke(cycle, people["manager"], "Brister i dokumentationen", date(2026, 5, 1))
    db.session.commit()
    for who in ("holder", "manager"):
        login(people[who])
        response = client.get(f"/certificates/{cycle.id}.pdf")
        assert response.status_code == 404
        assert "revoked" in response.text or "återkalla" in response.text
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(CertificationCycle, cycle.id).certificate_pdf is None  # nothing was drawn


def test_a_superseded_certificate_can_still_be_downloaded(client, login, holder, cycle):
    certification = db.session.scalar(sa.select(Certification))
    renewal = certify(holder, certification, date(2028, 1, 10), previous=cycle)
    login(holder)
    old = client.get(f"/certificates/{cycle.id}.pdf")
    new = client.get(f"/certificates/{renewal.id}.pdf")
    assert old.status_code == new.status_code == 200
    assert group_code(cycle.verification_code) in pdf_text(old.data)
    assert group_code(renewal.verification_code) in pdf_text(new.data)


def test_the_manager_of_the_unit_the_holder_moved_to_may_download(
    client, login, org, make_unit, make_user, holder, cycle
):
    holder.memberships[0].ended_on = date(2026, 6, 30)
    night = make_unit(org, "Nattpatrullen", UnitKind.NIGHT_PATROL)
    holder.memberships.append(
        Membership(unit=night, position=Position.CARE_ASSISTANT, started_on=date(2026, 7, 1))
    )
    db.session.commit()
    login(make_user(org, username="natt", roles={Role.MANAGER}, manages=[night]))
    assert client.get(f"/certificates/{cycle.id}.pdf").status_code == 200
