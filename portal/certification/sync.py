"""content/certifications/*.yaml into versioned rows, checked against the modules in the same content.
Like modules: a changed file needs a higher version; nothing is written while any file has a problem."""

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from portal.certification.core import CertificationError, Definition, RequirementKind, parse_definition
from portal.certification.services import POSITIONS, UNIT_KINDS, require_renewal_after_major_version
from portal.content.errors import ContentError, Problem
from portal.extensions import db
from portal.models import Certification, CertificationVersion, Module, ModuleVersion


@dataclass(frozen=True)
class CertificationSource:
    definition: Definition
    source: str
    checksum: str
    path: Path


@dataclass
class CertificationReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    renewals_required: int = 0


def load_certifications(
    root: Path, module_slugs: set[str], scenario_slugs: Collection[str] | None = None
) -> list[CertificationSource]:
    """Every content/certifications/*.yaml, checked against the modules and, when given, the scenarios
    its exercises name; raises ContentError naming file and line."""
    problems: list[Problem] = []
    sources = []
    for path in sorted(root.glob("*.yaml")) if root.exists() else []:
        text = path.read_text(encoding="utf-8")
        try:
            definition = parse_definition(text, str(path), path.stem, POSITIONS, UNIT_KINDS)
        except CertificationError as error:
            problems.extend(Problem(path, f"{p.where}: {p.message}", p.line, p.hint) for p in error.problems)
            continue
        for slug in unknown_modules(definition, module_slugs):
            problems.append(Problem(path, f"no module '{slug}'", hint="name a folder in content/modules"))
        for slug in unknown_exercises(definition, scenario_slugs) if scenario_slugs is not None else ():
            problems.append(Problem(path, f"no scenario '{slug}'", hint="name a file in content/scenarios"))
        sources.append(CertificationSource(definition, text, checksum_of(text), path))
    if problems:
        raise ContentError(problems)
    return sources


def checksum_of(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def unknown_modules(definition: Definition, module_slugs: Collection[str]) -> list[str]:
    """The module slugs the requirements or the refresher path name that are not in `module_slugs`."""
    return _unknown(definition, RequirementKind.MODULE, module_slugs)


def unknown_exercises(definition: Definition, scenario_slugs: Collection[str]) -> list[str]:
    """The scenarios the requirements or the refresher path name that are not in `scenario_slugs`."""
    return _unknown(definition, RequirementKind.EXERCISE, scenario_slugs)


def _unknown(definition: Definition, kind: RequirementKind, known: Collection[str]) -> list[str]:
    return [
        requirement.ref
        for requirement in definition.requirements + definition.renewal
        if requirement.kind is kind and requirement.ref not in known
    ]


def write_version(certification: Certification, definition: Definition, source: str) -> CertificationVersion:
    """`source` (the YAML `definition` was parsed from) as the certification's new current version, and the
    certification active. The caller has checked that the version is new. Caller commits."""
    version = CertificationVersion(
        certification_id=certification.id,
        version=definition.version,
        checksum=checksum_of(source),
        source=source,
        title=definition.title,
    )
    db.session.add(version)
    db.session.flush()
    certification.current_version = version
    certification.is_active = True
    return version


def sync_certifications(sources: list[CertificationSource]) -> CertificationReport:
    report = CertificationReport()
    existing = {
        c.slug: c
        for c in db.session.scalars(sa.select(Certification).where(Certification.organisation_id.is_(None)))
    }
    local_slugs = set(
        db.session.scalars(sa.select(Certification.slug).where(Certification.organisation_id.is_not(None)))
    )
    problems: list[Problem] = []
    for position, source in enumerate(sources):
        slug = source.definition.slug
        if slug in local_slugs:
            problems.append(
                Problem(
                    source.path,
                    f"the slug '{slug}' belongs to a municipality's local certification",
                    hint="choose another file name",
                )  # fmt: skip
            )
            continue
        certification = existing.pop(slug, None)
        if certification is None:
            certification = Certification(slug=slug, position=position)
            db.session.add(certification)
            db.session.flush()
            report.created.append(slug)
        elif certification.current_version and certification.current_version.checksum == source.checksum:
            certification.is_active = True
            report.unchanged.append(slug)
            continue
        elif certification.current_version and _version(source.definition.version) <= _version(
            certification.current_version.version
        ):
            problems.append(
                Problem(
                    source.path,
                    f"the file changed but the version is still {source.definition.version}",
                    hint="raise the version",
                )  # fmt: skip
            )
            continue
        else:
            report.new_versions.append(f"{slug} {source.definition.version}")
        certification.position = position
        write_version(certification, source.definition, source.source)
    for certification in existing.values():
        if certification.is_active:
            certification.is_active = False
            report.deactivated.append(certification.slug)
    if problems:
        raise ContentError(problems)
    db.session.flush()
    return report


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def require_renewals(new_module_versions: list[str]) -> int:
    """After a content sync: each new major module version asks its certifications' holders to renew."""
    touched = 0
    for entry in new_module_versions:
        if not entry.endswith("(major)"):
            continue
        slug = entry.split(" ")[0]
        module = db.session.scalar(sa.select(Module).where(Module.slug == slug))
        version: ModuleVersion = module.current_version
        touched += require_renewal_after_major_version(module, version)
    return touched


def certifications_root(app_config: dict) -> Path:
    return Path(app_config["CONTENT_DIR"]) / "certifications"
