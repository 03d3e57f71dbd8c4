"""Anyone reads the alarm chain in swim lanes and picks a role view, by mouse and by keyboard; every
page audited (axe-core, vnu.jar)."""

import pytest

from tests.e2e.conftest import Auditor
from tests.e2e.test_verification import in_english

# The page's own words are checked in English (the messages' own text); the role names come from
# content/trygghetskedjan/kedjan.yaml.
VIEWS = {"hemtjanst": "Home care", "bistandshandlaggare": "Needs assessors", "larmgruppen": "The alarm group"}


def current_view(page) -> str:
    return page.locator(".kedja-views a[aria-current='page']").inner_text().strip()


def test_the_whole_chain_and_each_role_view(page, auditor):
    auditor.visit("/trygghetskedjan")
    assert page.locator("h1").inner_text() == "Trygghetskedjan"
    assert page.locator(".kedja-lane-head").count() == 6
    assert page.locator(".kedja-rows > li").count() == page.locator(".kedja-steps > li").count() > 10
    assert page.locator(".is-lead, .is-involved").count() == 0
    in_english(page)
    auditor.check()
    assert page.locator("h1").inner_text() == "The alarm chain (trygghetskedjan)"
    for view_id, name in VIEWS.items():
        auditor.visit(f"/trygghetskedjan?vy={view_id}")
        assert current_view(page).endswith(name)  # the tick before it is CSS content
        assert page.locator(".kedja-lane-head.is-mine").count() == 1
        assert page.locator(".kedja-steps > li.is-lead").count() >= 2
        assert "Your part" in page.locator(".kedja-steps > li.is-lead").first.inner_text()
    auditor.visit("/trygghetskedjan?vy=finns-inte")
    assert current_view(page).endswith("The whole chain")
    assert page.locator(".kedja-your-part").count() == 0


def test_a_keyboard_user_tabs_to_a_role_view_and_follows_it_with_enter(page, auditor):
    auditor.visit("/trygghetskedjan")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.kedja-views') !== null"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/trygghetskedjan"  # whole chain
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/trygghetskedjan?vy=hemtjanst"
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hemtjänst"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "keyboard focus is visible"
    page.keyboard.press("Enter")
    page.wait_for_url("**/trygghetskedjan?vy=hemtjanst")
    auditor.check()
    assert current_view(page).endswith("Hemtjänst")
    assert page.locator(".kedja-your-part").is_visible()
    # a step in the picture leads to its description
    page.locator(".kedja-cell.is-lead a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#steg-*")
    step_id = page.url.rsplit("#", 1)[1]
    assert page.locator(f"#{step_id}").is_visible()


@pytest.mark.parametrize("view", ["", "?vy=larmgruppen"])
def test_a_phone_of_320_pixels_has_no_sideways_scrolling(browser, live_server, vnu, view):
    context = browser.new_context(base_url=live_server, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        Auditor(page, vnu).visit(f"/trygghetskedjan{view}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        roles = page.locator(".kedja-rows .kedja-role")
        assert roles.first.is_visible(), "on a phone each step names its role as visible text"
        assert page.locator(".kedja-also").first.is_hidden()
    finally:
        context.close()
