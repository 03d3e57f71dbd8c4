"""Every authoring view module, imported once so that the blueprint has its routes."""

from portal.authoring import module_publisher, overview_routes  # noqa: F401
