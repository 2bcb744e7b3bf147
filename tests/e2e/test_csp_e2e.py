"""The Content-Security-Policy (issue 14): every kind of page works under it in a real browser, with no
violation: the landing page, the docs (Swagger UI and ReDoc, from our own static files), the browsable API
and the admin."""

import re
import secrets

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Recorded by the page itself: every violation fires this event, whatever the console shows.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""


def watched(page: Page) -> list[str]:
    """Console messages about the policy, collected as the page runs."""
    messages: list[str] = []

    def keep(message) -> None:
        if "Content Security Policy" in message.text:
            messages.append(message.text)

    page.on("console", keep)
    page.add_init_script(WATCH_VIOLATIONS)
    return messages


def visit(page: Page, console: list[str], path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, (path, policy)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    assert (violations, console) == ([], []), path


def test_every_kind_of_page_works_under_the_policy(chromium, screenshot):
    release = factories.make_model_release(slug="deepseek-v3", name="DeepSeek-V3")
    factories.make_citation(release)
    password = secrets.token_urlsafe(16)
    user = User.objects.create_user("carla", password=password, is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))

    with chromium() as new_session:
        page = new_session()
        console = watched(page)

        visit(page, console, "/")
        visit(page, console, "/api/docs/")
        # Swagger UI ran: it read the schema and lists the operations.
        expect(page.get_by_text("/api/v1/model-releases/", exact=True).first).to_be_visible()
        screenshot(page, "csp-swagger")
        visit(page, console, "/api/redoc/")
        expect(page.get_by_role("heading", name=re.compile("AI Access Registry API"))).to_be_visible()
        visit(page, console, "/api/v1/model-releases/")
        expect(page.get_by_text("deepseek-v3").first).to_be_visible()
        visit(page, console, "/api/v1/model-releases/deepseek-v3/")

        visit(page, console, "/admin/login/")
        page.get_by_label("Username:").fill("carla")
        page.get_by_label("Password:").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Records")).to_be_visible()
        visit(page, console, "/admin/datasets/modelrelease/")
        visit(page, console, "/admin/datasets/modelrelease/add/")
        # The admin's scripts run: the slug is filled in from the name, the autocomplete box opens.
        page.locator("#id_name").press_sequentially("Nimbus 3")
        expect(page.locator("#id_slug")).to_have_value("nimbus-3")
        page.locator("#id_developer").locator("xpath=..").get_by_role("combobox").click()
        expect(page.locator(".select2-container--open").get_by_role("searchbox")).to_be_visible()
        assert page.evaluate("window.__cspViolations") == [] and console == []
