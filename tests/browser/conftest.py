"""Browser journeys: Playwright driving Debian's Chromium (the system binary, never a downloaded
one) against pytest-django's live server. Each actor (enterprise, reviewer, administrator, experts,
provider) has its own browser context, so their sessions are as separate as different people's.
Screenshots of every step go to test-artifacts/browser/<step>.png."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import Actor, Shots

# the journey's steps moved out of its test module keep pytest's assertion messages
pytest.register_assert_rewrite("tests.browser.journey_bureau", "tests.browser.journey_enterprise")

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def _async_unsafe_allowed() -> Iterator[None]:
    # Playwright's sync API keeps an asyncio loop in the test thread, which Django's async-safety
    # check takes for async code; the ORM calls of these tests are plain synchronous ones. Only
    # while this module runs, so other tests keep the check.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run bin/setup --with-browser (bin/test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def shots() -> Shots:
    if ARTIFACTS.exists() and not os.environ.get("PYTEST_XDIST_WORKER"):  # workers share the folder
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return Shots(ARTIFACTS)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture
def actors(request, browser, live_server, shots, private_storage):
    """actors(name) → an Actor with its own browser context on the live server. On failure each
    actor's current page is kept as FAILED-<name>.png beside the step screenshots."""
    made: list[Actor] = []

    def make(name: str) -> Actor:
        actor = Actor.open(browser, name=name, base_url=live_server.url, shots=shots)
        made.append(actor)
        return actor

    yield make
    failed = getattr(request.node, "browser_failed", True)
    for actor in made:
        if failed:
            actor.failure_shot()
        actor.close()
