"""The application factory: the table of contents of the portal."""

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import INSTANCE_DIR, ROOT, Config, load_config
from portal.extensions import babel, csrf, db, login_manager, migrate


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(Config)
    if test_config is None:
        app.config.update(load_config())
    else:
        app.config.update(test_config)  # before init_app: engines are built there
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO)

    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from portal import i18n, labels, templating

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    app.before_request(_allow_large_uploads)  # before CSRF protection reads the form
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"  # else @login_required answers 401 instead of redirecting
    login_manager.login_message = _l("Log in to see that page.")
    login_manager.login_message_category = "info"
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    labels.register(app)
    templating.register(app)


LARGE_UPLOAD_ENDPOINTS = frozenset({"authoring.section_video", "authoring.import_module"})


def _allow_large_uploads() -> None:
    if request.endpoint in LARGE_UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["MAX_UPLOAD_REQUEST_BYTES"]


def register_blueprints(app: Flask) -> None:
    from portal import (
        admin,
        assessment,
        auth,
        authoring,
        certification,
        competence,
        errors,
        glossary,
        learning,
        main,
        routines,
        security,
        simulator,
    )

    features = (learning, assessment, certification, competence, simulator, glossary, authoring, routines)
    for blueprint in (main.bp, auth.bp, *(feature.blueprint() for feature in features), admin.bp):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    security.init_app(app)


def register_cli(app: Flask) -> None:
    from portal.admin.cli import organisations_cli
    from portal.assessment.cli import quiz_cli
    from portal.auth.cli import users_cli
    from portal.authoring.media_cli import media_cli
    from portal.backup.cli import backup_cli
    from portal.certification.cli import certifications_cli
    from portal.certification.reminder_cli import reminders_cli
    from portal.content.cli import content_cli
    from portal.demo.cli import demo_cli
    from portal.simulator.cli import alarmchain_cli

    app.cli.add_command(organisations_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(alarmchain_cli)
    app.cli.add_command(quiz_cli)
    app.cli.add_command(certifications_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(media_cli)
