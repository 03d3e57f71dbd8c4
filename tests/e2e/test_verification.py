"""Anyone checks a certificate by its code, and its holder downloads it, in the browser; every page audited."""

import io

import pypdf
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.certification.verification import group_code
from tests.e2e.test_accounts import log_in


@pytest.fixture(scope="module")
def demo_codes(live_server, live_database) -> dict[str, str]:
    """The verification code of a demo cycle per holder. The demo's certification history needs the
    certifications in the database, which `flask content sync` puts there before `flask demo seed`:
    done here the same way when the live server's set-up synced the modules only (seeding is idempotent)."""
    from portal.app import create_app
    from portal.certification.sync import certifications_root, load_certifications, sync_certifications
    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from portal.models import Certification, CertificationCycle, Module, User
    from tests.conftest import base_config

    app = create_app(base_config(live_database))
    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count(Certification.id))) == 0:
            modules = set(db.session.scalars(sa.select(Module.slug)))
            sync_certifications(load_certifications(certifications_root(app.config), modules))
            seed_demo()
            db.session.commit()
        rows = db.session.execute(
            sa.select(User.username, CertificationCycle.verification_code)
            .join(User, User.id == CertificationCycle.user_id)
            .join(Certification, Certification.id == CertificationCycle.certification_id)
            .where(Certification.slug == "trygghetslarm-for-hemtjanst")
            .order_by(CertificationCycle.id.desc())  # each person's first (demo) cycle wins below
        )
        codes = dict(rows.tuples().all())
        db.session.remove()
        db.engine.dispose()
    return codes


def in_english(page) -> None:
    """The English texts are the messages' own: the checks below hold whatever the Swedish says."""
    page.get_by_role("button", name="In English").click()
    page.wait_for_load_state("load")


def test_anyone_checks_a_certificate_by_its_code(page, auditor, demo_codes):
    auditor.visit("/verify")
    in_english(page)
    auditor.check()
    code = demo_codes["mikael.strom"]
    page.get_by_label("Verification code").fill(group_code(code).lower().replace(" ", "-"))
    page.get_by_role("button", name="Check the certificate").click()
    page.wait_for_url(f"**/verify/{code}")
    auditor.check()
    main = page.inner_text("main")
    assert "Valid" in main
    assert "Mikael Ström" in main
    assert "Social alarms for home care" in main
    assert "Hemtjänst" not in main and "Nattpatrullen" not in main  # noqa: PT018 (nothing about the unit)

    auditor.visit(f"/verify/{demo_codes['per.nystrom']}")
    assert "Revoked" in page.inner_text("main")
    auditor.visit(f"/verify/{demo_codes['sofia.lund']}")
    assert "Expired" in page.inner_text("main")
    auditor.visit(f"/verify/{demo_codes['fatima.ali']}")
    assert "due for renewal" in page.inner_text("main")


def test_an_unknown_code_is_not_found(page, auditor):
    response = page.goto("/verify/ABCDEFGHJKLMNPQRSTUVWXYZ23")
    assert response.status == 404
    auditor.check()
    page.get_by_role("button", name="In English").click()
    page.get_by_label("Verification code").fill("abc")
    page.get_by_role("button", name="Check the certificate").click()
    auditor.check()
    assert "26 letters and digits" in page.inner_text("main")


def test_the_holder_downloads_the_certificate(page, auditor, demo_codes):
    log_in(page, auditor, "omar")
    page.wait_for_url("**/")
    auditor.visit(f"/verify/{demo_codes['omar']}")
    with page.expect_download() as download_info:
        page.locator("main a[href$='.pdf']").click()
    download = download_info.value
    assert download.suggested_filename.startswith("trygghetslarm-for-hemtjanst-omar-haddad-")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        document = file.read()
    assert document.startswith(b"%PDF-")
    text = pypdf.PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert "Omar Haddad" in text
    assert group_code(demo_codes["omar"]) in text


def test_a_manager_opens_the_revoke_form_and_a_missing_reason_is_explained(page, auditor, demo_codes):
    log_in(page, auditor, "karin")
    page.wait_for_url("**/")
    in_english(page)
    auditor.visit(f"/verify/{demo_codes['fatima.ali']}")
    page.get_by_role("link", name="Revoke the certificate").click()
    auditor.check()
    page.get_by_role("button", name="Revoke the certificate").click()  # no reason: nothing happens
    auditor.check()
    assert "Write why the certificate is revoked." in page.inner_text("main")
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("main")).to_contain_text("due for renewal")  # still valid
