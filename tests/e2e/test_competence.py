"""karin reads the competence matrix of her units in the browser, by mouse and by keyboard: filters it,
opens an employee, assigns training and prints the egenkontroll view; every page audited (axe, vnu).

The checks go by addresses, form fields and names, not by the interface's words, so that they hold in
either language and whatever the translation says.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.test_accounts import log_in

KARINS = {
    "Anna Lindqvist", "Omar Haddad", "Karin Berg", "Eva Holm", "Johan Sjöberg", "Fatima Ali",
    "Mikael Ström", "Linnéa Dahl", "Göran Åberg",
}  # fmt: skip
LARMTEAM = "Larmteam – installation och teknik"  # a certification's title (content, not a message)


@pytest.fixture(scope="module")
def demo_certifications(live_server, live_database) -> None:
    """The demo's certification history needs the certifications in the database (`flask content sync`
    before `flask demo seed`): put there the same way when the live server synced the modules only."""
    from portal.app import create_app
    from portal.certification.sync import certifications_root, load_certifications, sync_certifications
    from portal.demo.seed import seed_demo
    from portal.extensions import db
    from portal.models import Certification, Module
    from tests.conftest import base_config

    app = create_app(base_config(live_database))
    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count(Certification.id))) == 0:
            modules = set(db.session.scalars(sa.select(Module.slug)))
            sync_certifications(load_certifications(certifications_root(app.config), modules))
            seed_demo()
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def signed_in_as_karin(page, auditor) -> None:
    log_in(page, auditor, "karin")
    page.wait_for_url("**/")


def matrix_names(page) -> list[str]:
    return [name.strip() for name in page.locator("table.matrix tbody th[scope=row]").all_inner_texts()]


def focus_by_tab(page, condition: str, limit: int = 80) -> None:
    """Press Tab until `condition` (JavaScript about document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!({condition}); }}"):
            return
    raise AssertionError(f"never reached by Tab: {condition}")


def test_karin_filters_the_matrix_opens_an_employee_and_prints(page, auditor, demo_certifications):
    signed_in_as_karin(page, auditor)
    page.locator("nav.site-nav a[href='/competence/']").click()
    page.wait_for_url("**/competence/")
    auditor.check()
    assert set(matrix_names(page)) == KARINS  # and not lars's Sofia Lund, Per Nyström …
    assert page.locator("table.matrix caption").count() == 1
    assert page.locator("table.matrix thead th[scope=col]").count() == 2 + 4  # name, unit, 4 certifications
    assert page.locator("td.cell-expired .cstatus-icon[aria-hidden=true]").count() >= 1

    page.select_option("#status", "overdue")
    page.locator("form.competence-filters button[type=submit]").click()
    page.wait_for_url("**status=overdue**")
    auditor.check()
    assert matrix_names(page) == ["Johan Sjöberg", "Linnéa Dahl"]
    for row in page.locator("table.matrix tbody tr").all():
        assert row.locator("td.cell-overdue").count() >= 1

    page.locator("table.matrix tbody th a", has_text="Johan Sjöberg").click()
    page.wait_for_url("**/competence/employees/*")
    auditor.check()
    assert page.locator("h1").inner_text() == "Johan Sjöberg"
    assert page.locator("#cycles-heading").is_visible()
    assert page.locator("#events-heading").is_visible()

    page.go_back()
    page.locator("a[href^='/competence/print']").click()
    page.wait_for_url("**/competence/print?status=overdue")
    auditor.check()
    facts = page.locator("dl.print-facts").inner_text()
    assert "Hemtjänst Centrum, Nattpatrullen" in facts
    assert page.locator("main form").count() == 0
    assert matrix_names(page) == ["Johan Sjöberg", "Linnéa Dahl"]


def test_the_matrix_and_the_employee_page_by_keyboard(page, auditor, demo_certifications):
    signed_in_as_karin(page, auditor)
    auditor.visit("/competence/")
    focus_by_tab(page, "e.id === 'q'")
    page.keyboard.type("mikael")
    focus_by_tab(page, "e.matches('form.competence-filters button[type=submit]')")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=mikael**")
    auditor.check()
    assert matrix_names(page) == ["Mikael Ström"]
    focus_by_tab(page, "e.classList.contains('matrix-scroll')")  # the scrolling table takes focus
    focus_by_tab(page, "e.closest('th[scope=row]') && e.tagName === 'A'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/competence/employees/*")
    auditor.check()
    assert page.locator("h1").inner_text() == "Mikael Ström"
    focus_by_tab(page, "e.id === 'certification'")
    focus_by_tab(page, "e.id === 'due_on'")
    focus_by_tab(page, "e.matches('form[action$=\"/assignments\"] button[type=submit]')")


def test_assigning_training_explains_a_past_due_date_then_assigns(page, auditor, demo_certifications):
    from portal.certification.services import local_today

    signed_in_as_karin(page, auditor)
    auditor.visit("/competence/?q=eva")
    page.locator("table.matrix tbody th a", has_text="Eva Holm").click()
    page.wait_for_url("**/competence/employees/*")
    employee_page = page.url
    page.select_option("#certification", label=LARMTEAM)
    page.fill("#due_on", (local_today() - timedelta(days=1)).isoformat())
    page.locator("form[action$='/assignments'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.locator("#due_on").get_attribute("aria-invalid") == "true"
    auditor.check()

    page.fill("#due_on", (local_today() + timedelta(days=45)).isoformat())
    page.locator("form[action$='/assignments'] button[type=submit]").click()
    page.wait_for_url(employee_page)
    assert page.locator(".flash-success").count() == 1
    auditor.check()
    row = page.locator("table").first.locator("tbody tr", has_text=LARMTEAM)
    assert row.locator("td.cell-in-progress").count() == 1, "Eva has done the basics module it also asks for"
