"""Only the routes that take a film or a module's zip accept requests above the general limit."""

import io

import pytest

from portal.app import LARGE_UPLOAD_ENDPOINTS
from portal.models import Role


@pytest.fixture
def author_client(app, client, login, org, make_user):
    app.config.update(MAX_CONTENT_LENGTH=1024, MAX_UPLOAD_REQUEST_BYTES=64 * 1024)
    login(make_user(org, username="larmteam", roles={Role.AUTHOR}))
    return client


def big_form(size: int) -> dict:
    return {"file": (io.BytesIO(b"x" * size), "stor.bin")}


def test_an_ordinary_route_refuses_a_body_over_the_general_limit(author_client):
    response = author_client.post(
        "/authoring/new/module", data=big_form(4096), content_type="multipart/form-data"
    )

    assert response.status_code == 413


def test_the_import_route_reads_a_body_over_the_general_limit(author_client):
    response = author_client.post(
        "/authoring/import", data=big_form(4096), content_type="multipart/form-data"
    )

    assert response.status_code == 400  # read, and refused as no module zip


def test_the_upload_routes_still_have_a_limit(author_client):
    response = author_client.post(
        "/authoring/import", data=big_form(128 * 1024), content_type="multipart/form-data"
    )

    assert response.status_code == 413


def test_the_large_upload_endpoints_exist(app):
    assert LARGE_UPLOAD_ENDPOINTS <= {rule.endpoint for rule in app.url_map.iter_rules()}
