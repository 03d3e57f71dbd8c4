"""Every authoring view module, imported once so that the blueprint has its routes."""

from portal.authoring import (  # noqa: F401
    media_routes,
    module_publisher,
    module_routes,
    overview_routes,
    statistics_routes,
)
