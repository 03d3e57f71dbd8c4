"""Every authoring view module, imported once so that the blueprint has its routes."""

from portal.authoring import (  # noqa: F401
    certification_publisher,
    certification_routes,
    media_routes,
    module_publisher,
    module_routes,
    overview_routes,
    quiz_routes,
    routine_publisher,
    routine_routes,
    statistics_routes,
    transfer_routes,
    versions_routes,
)
