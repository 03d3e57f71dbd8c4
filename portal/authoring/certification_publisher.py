"""Publishing a local certification: its one YAML file, in the format of content/certifications, is
checked by the same parser as the national ones and written as the certification's next version by the
same row writer as the sync, scoped to the organisation whose authors wrote it."""

from typing import Any

import sqlalchemy as sa
import yaml
from flask_babel import gettext as _

from portal.alarmchain import Scenario
from portal.authoring import workflow
from portal.authoring.module_publisher import known_slugs
from portal.certification.core import CertificationError, Definition, RequirementKind, parse_definition
from portal.certification.services import POSITIONS, UNIT_KINDS, apply_rules
from portal.certification.sync import unknown_modules, write_version
from portal.extensions import db
from portal.models import Certification, ContentKind, LocalContent, Revision
from portal.simulator.catalogue import roles_of, scenarios

STARTER_VERSION = "0.1"  # replaced by the workflow's numbering when the certification is published
LOCAL_POSITION = 1000  # listed after the national certifications, which are numbered by file order


def definition_file(slug: str) -> str:
    return f"{slug}.yaml"


def dump(data: dict[str, Any]) -> str:
    """The YAML of a certification, written the same way every time."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def starter(title: str) -> str:
    """A new certification: valid YAML that waits for its first requirement."""
    return dump(
        {
            "title": {"sv": title},
            "summary": {"sv": title},
            "version": STARTER_VERSION,
            "requirements": [],
            "validity_months": 24,
            "window_days": 60,
            "expiry_base": "previous_expiry",
            "new_staff_due_days": 30,
            "major_version_grace_days": 90,
        }
    )


def read(text: str) -> dict[str, Any]:
    """The file's top-level mapping, or an empty one when it is not valid YAML (the parser says why)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def with_version(text: str, version: str) -> str:
    """The file with its version set, as publishing numbers it."""
    return dump({**read(text), "version": version})


def exercise_scenarios() -> list[Scenario]:
    """The alarm-chain scenarios a trainee can pass as an exercise (in some role), in file order."""
    return [scenario for scenario in scenarios().values() if roles_of(scenario)]


def parse(text: str, slug: str) -> Definition:
    """The checked definition; raises CertificationError naming file, line and fix."""
    return parse_definition(text, definition_file(slug), slug, POSITIONS, UNIT_KINDS)


def unknown_references(definition: Definition, organisation_id: int) -> list[str]:
    """A problem for each module or exercise named that the organisation cannot require."""
    path = definition_file(definition.slug)
    problems = [
        _(
            "%(file)s: there is no module '%(slug)s' to require: name a national module or one of your own.",
            file=path,
            slug=slug,
        )
        for slug in unknown_modules(definition, known_slugs(organisation_id))
    ]
    exercises = {scenario.slug for scenario in exercise_scenarios()}
    for requirement in definition.requirements + definition.renewal:
        if requirement.kind is RequirementKind.EXERCISE and requirement.ref not in exercises:
            problems.append(
                _(
                    "%(file)s: there is no exercise '%(slug)s' in the alarm chain.",
                    file=path,
                    slug=requirement.ref,
                )
            )
    return problems


def checked(text: str, content: LocalContent) -> Definition:
    """The item's certification as `text` defines it; raises workflow.ContentProblems."""
    try:
        definition = parse(text, content.slug)
    except CertificationError as error:
        raise workflow.ContentProblems([str(problem) for problem in error.problems]) from error
    problems = unknown_references(definition, content.organisation_id)
    if problems:
        raise workflow.ContentProblems(problems)
    return definition


def problems_in(text: str, content: LocalContent) -> list[str]:
    """Everything that keeps `text` from being published as the item's certification."""
    try:
        checked(text, content)
    except workflow.ContentProblems as error:
        return error.problems
    return []


def certification_of(content: LocalContent) -> Certification:
    """The item's certification row, created at its first publication."""
    certification = db.session.scalar(sa.select(Certification).where(Certification.slug == content.slug))
    if certification is None:
        certification = Certification(
            slug=content.slug, organisation_id=content.organisation_id, position=LOCAL_POSITION
        )
        db.session.add(certification)
        db.session.flush()
    elif certification.organisation_id != content.organisation_id:
        raise workflow.ContentProblems([_("The address name belongs to another certification.")])
    return certification


class CertificationPublisher:
    editor = "authoring.certification_edit"

    def new_files(self, slug: str, title: str) -> dict[str, str]:
        return {definition_file(slug): starter(title)}

    def problems(self, revision: Revision) -> list[str]:
        path = definition_file(revision.content.slug)
        if path not in revision.files:
            return [f"{path}: missing"]
        return problems_in(revision.files[path], revision.content)

    def renewals(self, revision: Revision) -> int:
        """None: changed rules (even a major version) apply to each holder's next renewal; the cycles
        people hold stay valid until they end. Only a major version of a required module asks for renewal."""
        return 0

    def publish(self, revision: Revision) -> int | None:
        assert revision.version is not None  # nosec B101 – narrows the type for mypy: the workflow numbers a revision before publishing it
        content = revision.content
        path = definition_file(content.slug)
        text = with_version(revision.files[path], revision.version)
        definition = checked(text, content)
        revision.files = {**revision.files, path: text}
        version = write_version(certification_of(content), definition, text)
        apply_rules(organisation_id=content.organisation_id)
        return version.id


workflow.register(ContentKind.CERTIFICATION, CertificationPublisher())
