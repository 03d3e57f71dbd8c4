"""Language choice and locale-aware formatting: Swedish first, times in Europe/Stockholm."""

from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import flask_babel
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    get_translations,
)
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape

LANGUAGE_COOKIE = "lang"
LOCAL_TIMEZONE = ZoneInfo("Europe/Stockholm")


def today() -> date:
    """Today's date where the service runs (a night shift's date turns at Swedish midnight)."""
    return datetime.now(UTC).astimezone(LOCAL_TIMEZONE).date()


def select_locale() -> str:
    """The signed-in user's choice, else the visitor's cookie, else Swedish."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background jobs speak Swedish
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    user_choice = getattr(current_user, "language", None) if current_user else None
    if user_choice in languages:
        return str(user_choice)
    cookie_choice = request.cookies.get(LANGUAGE_COOKIE)
    if cookie_choice in languages:
        return str(cookie_choice)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _datetime_filter(value: datetime | None, format: str = "medium") -> str:
    return "" if value is None else format_datetime(value, format)


def _decimal_filter(value: float | None, digits: int = 2) -> str:
    """A number with a fixed count of decimals in the reader's locale ("0,316" in Swedish)."""
    return "" if value is None else format_decimal(value, "0." + "0" * digits if digits else "0")


def _percent_filter(value: float | None, digits: int = 1) -> str:
    """A percentage given as 0–100, in the reader's locale's percent style ("56,7 %" in Swedish)."""
    if value is None:
        return ""
    locale_pattern = get_locale().percent_formats[None].pattern
    pattern = locale_pattern.replace("#,##0", "#,##0." + "0" * digits, 1) if digits else locale_pattern
    return format_percent(value / 100.0, pattern)


_request_catalogue: ContextVar[Any] = ContextVar("portal_request_catalogue", default=None)


def _forget_catalogue(*_args: object) -> None:
    _request_catalogue.set(None)


def _request_translations():
    """The request's catalogue, looked up once: Flask-Babel resolves domain, locale and cache on
    every call, which was a fifth of a page's render time (bench/run.py). In a request it is kept in
    a context variable, cleared as each request begins and ends (cheaper to reach than `g`)."""
    if has_request_context():
        translations = _request_catalogue.get()
        if translations is None:
            translations = get_translations()
            _request_catalogue.set(translations)
        return translations
    translations = g.get("_portal_translations")
    if translations is None:
        translations = g._portal_translations = get_translations()
    return translations


def text(value: object) -> str:
    """A label as text. A lazy_gettext string goes through the request's cached catalogue: turning
    hundreds of them into text through Flask-Babel was a third of a simulator step (bench/)."""
    if isinstance(value, LazyString) and value._func is flask_babel.gettext and has_request_context():
        message = _request_translations().ugettext(value._args[0])
        return message % value._kwargs if value._kwargs else message
    return str(value)


def pick(texts: Any) -> str:
    """The text in the reader's language, else the Swedish original: from a {language: text} dict, from
    anything with `in_language` (a quiz's texts) or with `as_dict` (the alarm-chain engine's labels)."""
    if not texts:
        return ""
    if hasattr(texts, "as_dict"):  # the alarm-chain engine's Label
        texts = texts.as_dict()
    if not isinstance(texts, dict):
        return str(texts.in_language(str(get_locale())))
    return texts.get(str(get_locale()), texts.get("sv", ""))


def is_fallback(texts: Any) -> bool:
    """True when the reader's language is missing and Swedish is shown instead."""
    if texts and not isinstance(texts, dict):
        return str(get_locale()) != "sv" and not getattr(texts, str(get_locale()), None)
    return bool(texts) and str(get_locale()) not in texts


def text_of(texts: Any) -> Markup:
    """A text in the reader's language, marked as Swedish where the Swedish original stands in.
    (A function, not a template macro: a quiz page shows dozens, and macro calls were a tenth of it.)"""
    shown = escape(pick(texts))
    return Markup('<span lang="sv">%s</span>') % shown if is_fallback(texts) else shown


def option_text(options: Any, option_id: str) -> Markup:
    """The text of the option (or item, or choice) with this id, as `text_of` shows it."""
    return next((text_of(option.text) for option in options if option.id == option_id), Markup(""))


def init_app(app: Flask) -> None:
    app.before_request(_forget_catalogue)
    app.teardown_request(_forget_catalogue)
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _request_translations().ugettext(text),
        ngettext=lambda singular, plural, n: _request_translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["pick"] = pick
    app.jinja_env.tests["fallback"] = is_fallback
    app.jinja_env.globals.update(text_of=text_of, option_text=option_text)
    app.jinja_env.filters["datetime"] = _datetime_filter
    app.jinja_env.filters["decimal"] = _decimal_filter
    app.jinja_env.filters["percent"] = _percent_filter
    app.jinja_env.filters["format_number"] = format_decimal  # 2,5 in Swedish
    app.jinja_env.filters["date"] = lambda value, format="medium": (
        "" if value is None else format_date(value, format)
    )
