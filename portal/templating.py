"""Template helpers that are not about language (those live in i18n.py and labels.py)."""

from dataclasses import dataclass

from flask import Flask
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field

from portal.models import Role

TEXT_INPUTS = {"text", "password", "email", "search", "date", "number", "tel", "url"}


def input_tag(field: Field, **attributes: object) -> Markup:
    """The <input> of a text-like field, as its WTForms widget would write it: the widget's
    Markup.format-based attribute writer was a quarter of the login page's time (bench/run.py)."""
    input_type = field.widget.input_type
    values: dict[str, object] = {"type": input_type, "id": field.id, "name": field.name}
    if input_type != "password":
        values["value"] = field._value()
    values.update(field.render_kw or {})
    values.update(attributes)
    parts = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        parts.append(escape(name) if value is True else f'{escape(name)}="{escape(value)}"')
    return Markup(f"<input {' '.join(parts)}>")  # nosec B704 – every name and value is escaped above


def is_text_input(field: Field) -> bool:
    return getattr(field.widget, "input_type", None) in TEXT_INPUTS


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString


EVERYONE: tuple[Role, ...] = ()
SIGNED_IN_MENU = (  # each item with the roles that see it (any of them)
    (NavItem("main.index", _l("Start")), EVERYONE),
    (NavItem("learning.dashboard", _l("My training")), EVERYONE),
    (NavItem("routines.index", _l("My routines")), (Role.LEARNER,)),
    (NavItem("simulator.overview", _l("The alarm chain")), EVERYONE),
    (NavItem("glossary.index", _l("Glossary")), EVERYONE),
    (NavItem("main.my_units", _l("My units")), (Role.MANAGER,)),
    (NavItem("competence.matrix", _l("Competence")), (Role.MANAGER,)),
    (NavItem("authoring.overview", _l("Material")), (Role.AUTHOR,)),
    (NavItem("authoring.statistics_overview", _l("Statistics")), (Role.AUTHOR,)),
    (NavItem("assessment.statistics_index", _l("Question statistics")), (Role.ADMIN,)),
    (NavItem("admin.index", _l("Administration")), (Role.ADMIN,)),
    (NavItem("auth.change_password", _l("Change password")), EVERYONE),
)
VISITOR_MENU = (
    NavItem("main.index", _l("Start")),
    NavItem("simulator.overview", _l("The alarm chain")),
    NavItem("glossary.index", _l("Glossary")),
    NavItem("auth.login", _l("Log in")),
)


def menu_for(user) -> list[NavItem]:
    """The main menu's links for this user's roles (the log-out button is added by the layout)."""
    if not user.is_authenticated:
        return list(VISITOR_MENU)
    return [item for item, roles in SIGNED_IN_MENU if not roles or user.has_role(*roles)]


def register(app: Flask) -> None:
    app.jinja_env.globals.update(input_tag=input_tag, is_text_input=is_text_input, menu_for=menu_for)
