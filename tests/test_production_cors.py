"""CORS: pages of any origin may read the API (GET, HEAD, OPTIONS); the admin and the landing page send no CORS
headers, so browsers keep other origins' scripts from reading them."""

import pytest

pytestmark = pytest.mark.django_db

ORIGIN = "https://elsewhere.example"


def test_an_api_get_from_another_origin_may_be_read(client):
    response = client.get("/api/v1/organizations/", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    # Without credentials: the API uses none, and a cookie must never ride along.
    assert "Access-Control-Allow-Credentials" not in response
    # Scripts may read the validators (for If-None-Match) and how long to wait after a 429.
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "retry-after"} <= exposed


def test_api_errors_carry_cors_headers_too(client):
    response = client.get("/api/v1/organizations/?limit=0", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_on_the_api_allows_reads_and_conditional_headers(client):
    response = client.options(
        "/api/v1/model-releases/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = {method.strip() for method in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response["Access-Control-Allow-Headers"].split(", ")


def test_the_admin_sends_no_cors_headers(client):
    response = client.get("/admin/login/", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    preflight = client.options("/admin/login/", HTTP_ORIGIN=ORIGIN, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in preflight


def test_the_landing_page_sends_no_cors_headers(client):
    response = client.get("/", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
