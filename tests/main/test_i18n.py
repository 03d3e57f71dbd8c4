import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.config import ROOT
from portal.extensions import db
from portal.labels import POSITION_LABELS

CATALOGS = ROOT / "portal" / "translations"


def test_swedish_by_default(client):
    page = client.get("/login").text
    assert '<html lang="sv">' in page
    assert "Logga in" in page
    assert "Hoppa till innehållet" in page


def test_visitor_switches_to_english_and_it_is_remembered(client):
    response = client.post(
        "/language", data={"language": "en"}, headers={"Referer": "http://localhost/login"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "lang=en" in response.headers["Set-Cookie"]
    page = client.get("/login").text
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "På svenska" in page


def test_a_signed_in_users_choice_is_stored(client, login, org, make_user):
    user = make_user(org)
    login(user)
    client.post("/language", data={"language": "en"})
    db.session.refresh(user)
    assert user.language == "en"
    other_device = client.application.test_client()
    other_device.post("/login", data={"username": user.username, "password": "Rätt-häst-batteri-9"})
    assert '<html lang="en">' in other_device.get("/").text


def test_unknown_language_is_ignored(client):
    response = client.post("/language", data={"language": "xx"})
    assert response.status_code == 302
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_referrer_from_elsewhere_is_not_followed(client):
    response = client.post(
        "/language", data={"language": "en"}, headers={"Referer": "https://evil.example.com/x"}
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_message_is_translated(language):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    untranslated = [m.id for m in catalog if m.id and (not all(m.string) if m.pluralizable else not m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"


def test_catalogues_hold_every_message_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as pot_file:
        wanted = {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(pot_file)
            if message.id
        }
    for language in ("sv", "en"):
        with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po_file) if m.id}
        missing = wanted - have
        assert not missing, (
            f"{language}: run `make translations-update` and translate: {sorted(missing)[:10]}"
        )


def test_position_labels_in_both_languages(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("sv"):
        assert str(POSITION_LABELS["assistant_nurse"]) == "Undersköterska"
    with app.test_request_context(), force_locale("en"):
        assert str(POSITION_LABELS["assistant_nurse"]) == "Assistant nurse"


def test_times_are_shown_in_stockholm_time(app):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    with app.test_request_context(), force_locale("sv"):
        winter = app.jinja_env.filters["datetime"](datetime(2026, 1, 15, 23, 30, tzinfo=UTC), "short")
        summer = app.jinja_env.filters["datetime"](datetime(2026, 7, 15, 22, 30, tzinfo=UTC), "short")
    assert winter == "2026-01-16 00:30"
    assert summer == "2026-07-16 00:30"


def test_a_quiz_text_is_escaped_and_marked_swedish_where_the_original_stands_in(app):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from portal.i18n import option_text, text_of

    both = {"sv": "Ring <112>", "en": "Call <112>"}
    swedish_only = {"sv": "Ring <112>"}
    options = [SimpleNamespace(id="a", text=swedish_only), SimpleNamespace(id="b", text=both)]
    with app.test_request_context(), force_locale("en"):
        assert text_of(both) == "Call &lt;112&gt;"
        assert text_of(swedish_only) == '<span lang="sv">Ring &lt;112&gt;</span>'
        assert option_text(options, "a") == '<span lang="sv">Ring &lt;112&gt;</span>'
        assert option_text(options, "b") == "Call &lt;112&gt;"
        assert option_text(options, "c") == "", "an id the question does not have shows nothing"
    with app.test_request_context(), force_locale("sv"):
        assert text_of(swedish_only) == "Ring &lt;112&gt;", "Swedish on a Swedish page needs no mark"
