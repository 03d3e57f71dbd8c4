"""Password hashing (argon2id) and the password policy."""

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

# The first argon2id configuration of the OWASP Password Storage Cheat Sheet (46 MiB, 1 pass, 1 lane;
# cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html). argon2-cffi's default
# (RFC 9106's second profile: 64 MiB, 3 passes, 4 lanes) cost 140–200 ms of CPU a sign-in, and when a
# shift signs in together that queued every page on a 2-core server (bench/RESULTS.md); this costs
# about 40 ms. Older hashes are upgraded at the next sign-in (needs_rehash).
ARGON2_PARAMETERS = {"memory_cost": 47_104, "time_cost": 1, "parallelism": 1}
_hasher = PasswordHasher(**ARGON2_PARAMETERS)
# Verified against when the username is unknown, so that both answers take as long.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-equal-timing")
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash never matches but costs the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _core(password: str) -> str:
    """The password without the digits and symbols people tack on: 'Sommar2024!' -> 'sommar'."""
    return re.sub(r"[\d\W_]+$", "", re.sub(r"^[\d\W_]+", "", password.lower()))


def policy_errors(password: str, username: str = "") -> list[str]:
    """Every reason ``password`` is not acceptable, as translated messages; empty when fine."""
    errors = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        errors.append(str(_l("Use at least %(n)d characters.", n=minimum)))
    lowered = password.lower()
    listed = common_passwords()
    if lowered in listed or (_core(password) in listed and len(_core(password)) >= 4):
        errors.append(
            str(_l("This password is among the most common ones and easy to guess. Choose another."))
        )
    if username and username.lower() in lowered:
        errors.append(str(_l("The password must not contain your username.")))
    if len(set(password)) < 4:
        errors.append(str(_l("Use more different characters.")))
    return errors
