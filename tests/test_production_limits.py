"""Request limits: query strings, page sizes and bodies are bounded, and going past a bound is a 4xx, never a 500."""

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db


def test_a_query_string_too_long_is_a_414_in_json(client):
    too_long = "q=" + "a" * (django_settings.MAX_QUERY_STRING_LENGTH - 1)
    response = client.get(f"/api/v1/model-releases/?{too_long}")
    assert response.status_code == 414
    assert response["Content-Type"] == "application/json"
    assert f"at most {django_settings.MAX_QUERY_STRING_LENGTH} are accepted" in response.json()["detail"]


def test_a_query_string_at_the_limit_is_read(client):
    longest = "q=" + "a" * (django_settings.MAX_QUERY_STRING_LENGTH - 2)
    assert client.get(f"/api/v1/model-releases/?{longest}").status_code == 200


def test_the_admin_refuses_a_too_long_query_string_too(admin_client):
    response = admin_client.get("/admin/datasets/modelrelease/?q=" + "a" * django_settings.MAX_QUERY_STRING_LENGTH)
    assert response.status_code == 414


def test_too_many_query_parameters_are_a_400_in_json(client):
    too_many = "&".join(["developer=x"] * 10 + ["a"] * django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    assert len(too_many) <= django_settings.MAX_QUERY_STRING_LENGTH  # the count refuses it, not the length
    response = client.get(f"/api/v1/model-releases/?{too_many}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"Too many query parameters: at most {django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} are accepted."
    }


def test_too_many_form_fields_in_the_admin_are_a_400(admin_client):
    fields = "&".join(f"f{number}=1" for number in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = admin_client.post(
        "/admin/datasets/organization/add/", data=fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_body_too_large_for_the_admin_is_a_400(client):
    body = "username=a&password=" + "x" * django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post("/admin/login/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_the_api_reads_no_body_a_large_write_is_a_405(client):
    response = client.post(
        "/api/v1/model-releases/",
        data='{"name": "' + "x" * django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}',
        content_type="application/json",
    )
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("limit", ["0", "501", "1e3", "-1"])
def test_page_sizes_are_bounded(client, limit):
    response = client.get(f"/api/v1/model-releases/?limit={limit}")
    assert response.status_code == 400
    assert "limit" in response.json()
