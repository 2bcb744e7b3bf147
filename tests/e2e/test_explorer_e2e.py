"""The explorer (issue 18) in a real browser: every kind of page, on the committed dataset, at a desktop's and a
phone's width, with no console error and no failed request, and no serious or critical accessibility violation
by axe-core (pinned in tests/e2e/package.json, run in each page). The screenshots go to docs/screenshots/, which
the README links: `.ci/e2e` writes them anew (look at them before committing them)."""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("EXPLORER_SCREENSHOTS", settings.BASE_DIR / "docs" / "screenshots"))
WIDTHS = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}

# One page of each kind: (screenshot name, path).
PAGES = [
    ("home", "/"),
    ("access-matrix", "/access/"),
    ("timeline", "/timeline/?in_force_on=2025-06-01"),
    ("model-releases", "/model-releases/?developer=deepseek&ordering=-released_on"),
    ("model-release", "/model-releases/deepseek-v4/"),
    ("access-grant", "/access-grants/dsv4-huawei-day0/"),
    ("export-control", "/export-controls/us-ai-diffusion/"),
    ("organization", "/organizations/huawei/"),
    ("chip", "/chips/nvidia-h20/"),
    ("source", "/sources/letsds-huawei-v4/"),
    ("search", "/search/?q=huawei"),
]
# axe-core's impacts that fail the test.
FAILING = {"serious", "critical"}


def test_every_kind_of_page_reads_well_at_both_widths_with_no_error_and_no_serious_violation(chromium):
    call_command("import_dataset", str(settings.BASE_DIR / "fixtures"), verbosity=0)
    axe = AXE.read_text(encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    errors: list[str] = []  # what the page in view reported
    with chromium() as new_session:
        for width_name, viewport in WIDTHS.items():
            page = new_session()
            page.set_viewport_size(viewport)
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
            page.on(
                "response",
                lambda response: (
                    errors.append(f"{response.status}: {response.url}") if response.status >= 400 else None
                ),
            )
            for name, path in PAGES:
                errors.clear()
                response = page.goto(path)
                assert response is not None and response.status == 200, (path, response and response.status)
                page.wait_for_load_state("networkidle")
                problems += [f"{width_name} {path}: {error}" for error in errors]
                # Evaluated through the browser's debugging protocol, which the page's CSP does not govern.
                page.evaluate(axe + "\n;0")
                result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                for violation in result["violations"]:
                    if violation["impact"] in FAILING:
                        targets = [node["target"] for node in violation["nodes"][:3]]
                        problems.append(
                            f"{width_name} {path}: {violation['id']} ({violation['impact']}) {json.dumps(targets)}"
                        )
                page.screenshot(path=SCREENSHOTS / f"{name}-{width_name}.png", animations="disabled")
            page.context.close()
    assert problems == []
