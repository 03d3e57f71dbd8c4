import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.app import create_app
from portal.auth.passwords import _core, common_passwords, policy_errors, verify_password
from portal.extensions import db
from tests.conftest import TEST_PASSWORD, base_config

NEW = "Blåbär-på-natten-42"


@pytest.fixture
def anna(org, make_user, make_unit):
    return make_user(org, username="anna", unit=make_unit(org))


def change(client, current=TEST_PASSWORD, new=NEW, confirm=None):
    return client.post(
        "/password", data={"current_password": current, "new_password": new, "confirm": confirm or new}
    )


def test_change_password_signs_out_other_sessions(app, client, anna, login):
    login(anna)
    other = app.test_client()
    other.post("/login", data={"username": "anna", "password": TEST_PASSWORD})
    assert other.get("/password").status_code == 200
    response = change(client)
    assert response.status_code == 302
    db.session.refresh(anna)
    assert verify_password(anna.password_hash, NEW)
    assert client.get("/password").status_code == 200, "this session stays signed in"
    assert other.get("/password").status_code == 302, "the other session is signed out"


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-current-pw", NEW, NEW, "nuvarande lösenordet är fel"),
        (TEST_PASSWORD, "kort-9", "kort-9", "Använd minst 12 tecken."),
        (TEST_PASSWORD, "Password1234", "Password1234", "de vanligaste"),
        (TEST_PASSWORD, "Sommar2026!!!!", "Sommar2026!!!!", "de vanligaste"),
        (TEST_PASSWORD, "anna-har-ett-bra-lösen", "anna-har-ett-bra-lösen", "användarnamn"),
        (TEST_PASSWORD, NEW, NEW + "x", "inte likadana"),
        (TEST_PASSWORD, "aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "Använd fler olika tecken."),
    ],
)
def test_bad_new_password_changes_nothing(client, anna, login, current, new, confirm, message):
    login(anna)
    before = anna.password_hash
    response = change(client, current, new, confirm)
    assert response.status_code == 200
    assert message in response.text
    db.session.refresh(anna)
    assert anna.password_hash == before


def test_demo_password_meets_the_policy(app):
    assert policy_errors("Trygghetslarm1", "anna") == []


def test_list_is_shipped_and_lowercase(app):
    listed = common_passwords()
    assert len(listed) > 200
    assert all(word == word.lower() for word in listed)


POLICY_APP = create_app(base_config())


@given(st.text(max_size=11))
def test_anything_shorter_than_twelve_is_refused(password):
    with POLICY_APP.app_context():
        assert policy_errors(password)


@given(
    st.sampled_from(sorted({"password", "sommar", "qwerty", "hemtjanst"})),
    st.text("0123456789!?#", max_size=8),
)
def test_common_word_with_digits_and_symbols_is_refused(word, suffix):
    candidate = word.capitalize() + suffix
    assert _core(candidate) == word
    with POLICY_APP.app_context():
        assert any("vanligaste" in error for error in policy_errors(candidate))
