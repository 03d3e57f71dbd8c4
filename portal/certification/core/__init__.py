"""Pure core of certification: definitions, their YAML, expiry dates and status. No Flask, no database,
no clock: every function takes the dates it needs, so a cycle can be tested at any day."""

from .definition import Definition, ExpiryBase, Requirement, RequirementKind
from .loader import CertificationError, load_definition, parse_definition
from .status import Cycle, Standing, Status, derive_status, next_valid_until, renewal_window_opens

__all__ = [
    "CertificationError",
    "Cycle",
    "Definition",
    "ExpiryBase",
    "Requirement",
    "RequirementKind",
    "Standing",
    "Status",
    "derive_status",
    "load_definition",
    "next_valid_until",
    "parse_definition",
    "renewal_window_opens",
]
