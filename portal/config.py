"""Configuration from the environment, with safe defaults for the embedded demo."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_DIR", ROOT / "instance"))


class ConfigError(RuntimeError):
    """The environment does not allow the portal to start safely."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(raw: str | None) -> str:
    """Return an SQLAlchemy URL: psycopg 3 for PostgreSQL, embedded SQLite when unset."""
    if not raw:
        return f"sqlite:///{INSTANCE_DIR / 'portal.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    return raw


def secret_key(is_production: bool) -> str:
    """Return SECRET_KEY from the environment, or a key generated once into instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if is_production:
        raise ConfigError(
            "SECRET_KEY is not set. In production the portal will not start without it: "
            'set SECRET_KEY to a long random value, e.g. python3 -c "import secrets; '
            'print(secrets.token_hex(32))".'
        )
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config() -> dict[str, object]:
    """Read the environment once; the factory applies the result."""
    is_production = os.environ.get("PORTAL_ENV", "development") == "production"
    return {
        "IS_PRODUCTION": is_production,
        "SECRET_KEY": secret_key(is_production),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")),
        "DEMO_MODE": _flag("DEMO_MODE", default=not is_production),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", default=is_production),
        "PREFERRED_URL_SCHEME": "https" if is_production else "http",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        # MAIL_USE_TLS and MAIL_SENDER are the earlier names, still read.
        "MAIL_USE_STARTTLS": _flag("MAIL_USE_STARTTLS", default=_flag("MAIL_USE_TLS")),
        "MAIL_FROM": os.environ.get("MAIL_FROM") or os.environ.get("MAIL_SENDER", Config.MAIL_FROM),
        "PORTAL_BASE_URL": os.environ.get("PORTAL_BASE_URL", Config.PORTAL_BASE_URL),
        "REMINDER_DUE_DAYS": int(os.environ.get("REMINDER_DUE_DAYS", Config.REMINDER_DUE_DAYS)),
        "REMINDER_EXPIRY_DAYS": int(os.environ.get("REMINDER_EXPIRY_DAYS", Config.REMINDER_EXPIRY_DAYS)),
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=float(os.environ.get("SESSION_IDLE_HOURS", Config.SESSION_IDLE_HOURS))
        ),
    }


class Config:
    """Defaults that hold everywhere; the environment and tests override them."""

    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_HOURS = 8  # a signed-in session unused this long ends (portal/auth/idle.py)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_IDLE_HOURS)
    MAX_IMAGE_BYTES = 5 * 1024 * 1024
    MAX_VIDEO_BYTES = 200 * 1024 * 1024
    MAX_CAPTION_BYTES = 1024 * 1024
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # any request; the upload routes allow MAX_UPLOAD_REQUEST_BYTES
    MEDIA_DIR = str(INSTANCE_DIR / "media")  # uploaded media, one file per SHA-256
    MAX_IMPORT_BYTES = 250 * 1024 * 1024  # an imported module zip's files together, unpacked
    # A film with its captions, or a module's zip, must fit in one request to the routes that take
    # them (LARGE_UPLOAD_ENDPOINTS); uploaded files are spooled to disk, not held in memory.
    MAX_UPLOAD_REQUEST_BYTES = max(MAX_VIDEO_BYTES, MAX_IMPORT_BYTES) + 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: no lost forms on a long shift
    LANGUAGES = ("sv", "en")
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    PASSWORD_MIN_LENGTH = 12
    CSV_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    CONTENT_DIR = str(ROOT / "content")
    SCENARIO_DIR = str(ROOT / "content" / "scenarios")
    CHAIN_FILE = str(ROOT / "content" / "trygghetskedjan" / "kedjan.yaml")
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_STARTTLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "Trygghetsportalen <trygghetsportalen@localhost>"
    MAIL_TIMEOUT_SECONDS = 10  # also how long "remind now" waits for a hung server
    PORTAL_BASE_URL = "http://127.0.0.1:5000"  # links in emails; never taken from a request's Host
    REMINDER_DUE_DAYS = 7  # remind this many days before a first certification is due
    REMINDER_EXPIRY_DAYS = 14  # … and before a certification expires
    REMINDER_DIGEST_EXPIRING_DAYS = 30  # the managers' weekly digest lists what expires this soon
    REMINDER_MANUAL_MINUTES = 10  # "remind now": at most once per employee and certification in this time
