"""Each demo account logs in through the real browser and sees what its role allows."""

import pytest
from playwright.sync_api import expect

from portal.demo.seed import DEMO_PASSWORD
from tests.e2e.conftest import Auditor

NAVIGATION = {
    "anna": [
        "Start",
        "Min utbildning",
        "Mina rutiner",
        "Trygghetskedjan",
        "Ordlista",
        "Byt lösenord",
        "Logga ut",
    ],
    "omar": [
        "Start",
        "Min utbildning",
        "Mina rutiner",
        "Trygghetskedjan",
        "Ordlista",
        "Byt lösenord",
        "Logga ut",
    ],
    "sara": [
        "Start",
        "Min utbildning",
        "Mina rutiner",
        "Trygghetskedjan",
        "Ordlista",
        "Byt lösenord",
        "Logga ut",
    ],
    "karin": [
        "Start",
        "Min utbildning",
        "Mina rutiner",
        "Trygghetskedjan",
        "Ordlista",
        "Mina enheter",
        "Kompetens",
        "Byt lösenord",
        "Logga ut",
    ],
    "lars": [
        "Start",
        "Min utbildning",
        "Mina rutiner",
        "Trygghetskedjan",
        "Ordlista",
        "Mina enheter",
        "Kompetens",
        "Byt lösenord",
        "Logga ut",
    ],
    "larmteam": [
        "Start",
        "Min utbildning",
        "Mina rutiner",
        "Trygghetskedjan",
        "Ordlista",
        "Material",
        "Statistik",
        "Byt lösenord",
        "Logga ut",
    ],
    "admin": [
        "Start",
        "Min utbildning",
        "Trygghetskedjan",
        "Ordlista",
        "Frågestatistik",
        "Administration",
        "Byt lösenord",
        "Logga ut",
    ],
}


def log_in(page, auditor, username: str, password: str = DEMO_PASSWORD) -> None:
    auditor.visit("/login")
    page.get_by_label("Användarnamn eller e-post").fill(username)
    page.get_by_label("Lösenord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()


def navigation_items(page) -> list[str]:
    menu = page.get_by_role("navigation", name="Huvudmeny")
    return [
        item.inner_text().split("\n")[0].replace("(", "").strip()
        for item in menu.get_by_role("listitem").all()
    ]


@pytest.mark.parametrize("username", sorted(NAVIGATION))
def test_demo_account_logs_in_sees_its_navigation_and_logs_out(page, auditor, username):
    log_in(page, auditor, username)
    page.wait_for_url("**/")
    auditor.check()
    items = navigation_items(page)
    assert [item.split(" ")[0] if item.startswith("Logga") else item for item in items] == [
        "Logga" if name == "Logga ut" else name for name in NAVIGATION[username]
    ]
    for link in page.get_by_role("navigation", name="Huvudmeny").get_by_role("link").all():
        href = link.get_attribute("href")
        auditor.visit(href)
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/login")
    assert "Du är utloggad" in page.inner_text("main")
    auditor.check()
    assert page.goto("/password").url.endswith("/login?next=%2Fpassword")


def test_karin_sees_her_units_and_not_lars(page, auditor):
    log_in(page, auditor, "karin")
    auditor.visit("/my-units")
    main = page.inner_text("main")
    assert "Hemtjänst Centrum" in main
    assert "Nattpatrullen" in main
    assert "Hemtjänst Norr" not in main
    assert "Omar Haddad" in main
    assert page.goto("/admin/").status == 403
    auditor.check()


def test_wrong_password_gives_one_generic_message(page, auditor):
    log_in(page, auditor, "anna", "inte-rätt-lösenord")
    assert "Fel användarnamn eller lösenord." in page.inner_text("main")
    auditor.check()
    log_in(page, auditor, "ingen-sådan", "inte-rätt-lösenord")
    assert "Fel användarnamn eller lösenord." in page.inner_text("main")


def test_empty_login_form_shows_an_accessible_error_summary(page, auditor):
    auditor.visit("/login")
    page.get_by_role("button", name="Logga in").click()
    summary = page.get_by_role("alert")
    assert "Kontrollera formuläret" in summary.inner_text()
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.get_by_label("Användarnamn eller e-post").get_attribute("aria-invalid") == "true"
    auditor.check()


def test_language_switch_to_english_and_back(page, auditor):
    auditor.visit("/login")
    page.get_by_role("button", name="In English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    auditor.check()
    log_in_english = page.get_by_label("Username or email")
    log_in_english.fill("omar")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("text=Where you work")
    auditor.check()
    page.get_by_role("button", name="På svenska").click()
    page.wait_for_selector("html[lang=sv]")
    assert "Här arbetar du" in page.inner_text("main")


def test_keyboard_only_login(page, auditor):
    auditor.visit("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "username":
            break
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("sara")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Hej Sara Nilsson')")
    focus_style = page.evaluate(
        "() => { const b = document.querySelector('.site-nav a'); b.focus(); return getComputedStyle(b).outlineStyle; }"
    )
    assert focus_style == "solid", "keyboard focus is visible"


def test_narrow_phone_screen_has_no_sideways_scrolling(browser, live_server, vnu):
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 640})
    page = context.new_page()
    auditor = Auditor(page, vnu)
    log_in(page, auditor, "admin")
    for url in ("/", "/admin/", "/admin/users", "/admin/import"):
        auditor.visit(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
    context.close()


def test_not_found_page(page, auditor):
    response = page.goto("/finns-inte")
    assert response.status == 404
    assert "Sidan finns inte" in page.inner_text("h1")
    auditor.check()
