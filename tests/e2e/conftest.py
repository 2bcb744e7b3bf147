"""End-to-end fixtures: Debian's Chromium driven by Playwright for Python, and the folder the screenshots go to.

These tests run only through `.ci/e2e`: the default `pytest` run ignores tests/e2e, because they need a
Chromium on the machine and the Playwright package, which the rest of the suite does not.
"""

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Locator, Page, sync_playwright

# Playwright's own browser download does not work here: use the machine's Chromium (Debian's package).
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
# Headless as root on a machine with a closed network: without the background-networking flags Chromium keeps
# trying to reach Google's services, and fails at every start to look their hosts up.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Admin pages are laid out for a desktop screen; screenshots are taken at this size.
VIEWPORT = {"width": 1280, "height": 860}


@pytest.fixture
def chromium(live_server):
    """Start Chromium on demand: ``with chromium() as new_session: page = new_session()``.

    Each ``new_session()`` is a fresh browser context (no cookies: a different person) with one page whose
    relative URLs go to the live server. Playwright's sync API runs an asyncio event loop in this thread
    while it is started, and Django refuses ORM calls under a running loop (SynchronousOnlyOperation): a
    test makes its records before the ``with``, talks to the site only over HTTP inside it, and reads the
    database again only after it.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run .ci/e2e, which installs Debian's package, or set E2E_CHROMIUM")

    @contextlib.contextmanager
    def start() -> Iterator[Callable[[], Page]]:
        # launch() gives Chromium a fresh, empty --user-data-dir of its own and removes it on close (it refuses
        # one passed in args).
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

            def new_session() -> Page:
                context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
                context.set_default_timeout(15_000)
                return context.new_page()

            try:
                yield new_session
            finally:
                browser.close()

    return start


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where this run's screenshots go: var/e2e-screenshots/ (git-ignored), or $E2E_SCREENSHOTS."""
    folder = Path(os.environ.get("E2E_SCREENSHOTS", settings.VAR_DIR / "e2e-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(screenshot_dir):
    """``screenshot(page, "01-login")`` saves what the window shows; given a locator, the whole element."""

    def save(target: Page | Locator, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        target.screenshot(path=path, animations="disabled", caret="initial")
        return path

    return save
