"""The administrator's screens in the browser: every state audited by axe-core and vnu.jar."""

import re

from playwright.sync_api import expect

from tests.e2e.test_accounts import log_in

BAD_FILE = "användarnamn;namn;enhet;befattning\nny.person;Ny Person;Hemtjänst Centrum;undersköterska\nX!;;Okänd;astronaut\n"
GOOD_FILE = "användarnamn;namn;enhet;befattning\ne2e.person;Åsa Öst;Hemtjänst Norr;vårdbiträde\n"


def test_admin_manages_units_and_people(page, auditor):
    log_in(page, auditor, "admin")
    auditor.visit("/admin/")
    page.get_by_role("link", name="Visa och ändra enheter").click()
    auditor.check()
    page.get_by_role("link", name="Lägg till en enhet").first.click()
    page.get_by_role("button", name="Spara enheten").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv enhetens namn.")
    auditor.check()
    page.get_by_label("Namn").fill("Hemtjänst Söder")
    page.get_by_role("button", name="Spara enheten").click()
    expect(page.locator("main")).to_contain_text("Hemtjänst Söder")

    auditor.visit("/admin/users")
    page.get_by_label("Sök på namn eller användarnamn").fill("anna")
    page.get_by_role("button", name="Sök").click()
    page.get_by_role("link", name="Anna Lindqvist").click()
    auditor.check()
    page.get_by_label("För- och efternamn").fill("")
    page.get_by_role("button", name="Spara personen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    auditor.check()
    page.get_by_role("link", name="Ange ett nytt lösenord").click()
    auditor.check()


def test_admin_imports_employees_with_a_preview(page, auditor, tmp_path):
    log_in(page, auditor, "admin")
    auditor.visit("/admin/import")
    bad = tmp_path / "fel.csv"
    bad.write_text(BAD_FILE, encoding="utf-8")
    page.get_by_label("CSV-fil").set_input_files(str(bad))
    page.get_by_role("button", name="Kontrollera filen").click()
    expect(page.locator("main")).to_contain_text("Inget har importerats")
    auditor.check()

    good = tmp_path / "ratt.csv"
    good.write_bytes(GOOD_FILE.encode("cp1252"))
    auditor.visit("/admin/import")
    page.get_by_label("CSV-fil").set_input_files(str(good))
    page.get_by_role("button", name="Kontrollera filen").click()
    expect(page.locator("main")).to_contain_text("Åsa Öst")
    auditor.check()
    page.get_by_role("button", name="Importera").click()
    expect(page.locator("main")).to_contain_text(re.compile(r"\b1 nya?\b"))
    auditor.check()
