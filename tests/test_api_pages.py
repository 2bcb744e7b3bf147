"""The HTML pages around the API: the explorer's home page and the documentation, served with our own assets."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ASSET = re.compile(r"""(?:src|href)=["']([^"']+\.(?:js|css|png|ico))["']""")


def assets(html: str) -> list[str]:
    return ASSET.findall(html)


def test_the_home_page_shows_counts_and_links(client):
    factories.make_export_control(slug="us-ai-diffusion")
    factories.make_export_control(slug="draft-rule", review_status="draft")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "AI Access Registry" in html
    assert re.search(r'href="/export-controls/">Export controls</a></td><td class="number">1</td>', html)
    for link in ("/api/v1/", "/api/docs/", "/api/redoc/", "/api/schema/", "/admin/"):
        assert f'href="{link}"' in html, link
    assert assets(html) == ["/static/explorer/explorer.css"]


# What the docs pages load besides the sidecar's files: Swagger UI's set-up script, served apart from its page so
# that no script is inline (Content-Security-Policy), and ReDoc's bundle with its logo's address replaced.
OWN_SCRIPTS = {"swagger-ui": "/api/docs/?script=", "redoc": "/api/redoc/redoc.standalone.js"}


@pytest.mark.parametrize("name", ["swagger-ui", "redoc"])
def test_docs_pages_load_their_assets_from_this_server(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    found = assets(html)
    assert found, "the page loads no script"
    assert f'<script src="{OWN_SCRIPTS[name]}">' in html
    assert all(a.startswith("/static/drf_spectacular_sidecar/") or a == OWN_SCRIPTS[name] for a in found), found
    assert "https://" not in html
    assert "<script>" not in html  # nothing inline
    script = client.get(OWN_SCRIPTS[name])
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    code = b"".join(script.streaming_content) if script.streaming else script.content
    assert b"https://cdn.redoc.ly" not in code
    assert "/api/schema/" in html + code.decode()[:20000]


def test_static_assets_exist(client):
    from django.contrib.staticfiles import finders

    html = client.get(reverse("swagger-ui")).content.decode() + client.get(reverse("redoc")).content.decode()
    for asset in [*assets(html), "/static/explorer/explorer.css", "/static/explorer/favicon.svg"]:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset


def test_schema_is_yaml_by_default_and_json_on_request(client):
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.0.3")
    response = client.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "AI Access Registry API"
