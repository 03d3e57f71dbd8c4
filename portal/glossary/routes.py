from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import get_locale

from portal.content.glossary import by_initial, glossary_in
from portal.extensions import db
from portal.glossary import bp
from portal.i18n import pick
from portal.models import Module, ModuleVersion


@bp.get("/ordlista")
def index() -> str:
    glossary = glossary_in(Path(current_app.config["CONTENT_DIR"]))
    language = "en" if str(get_locale()) == "en" else "sv"
    return render_template(
        "glossary/index.html",
        groups=by_initial(glossary.terms, language),
        terms=glossary.by_id(),
        language=language,
        module_titles=_national_module_titles(),
    )


def _national_module_titles() -> dict[str, str]:
    rows = db.session.execute(
        sa.select(Module.slug, ModuleVersion.title)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .where(Module.organisation_id.is_(None), Module.is_active)
    )
    return {slug: pick(title) for slug, title in rows}
