"""One Debian Chromium for the browser tests, one browser context per test, the app on pytest-django's live server.

Playwright's own browser download cannot work on these machines, so the tests drive the
system Chromium. Without it (or without the playwright package) every test here is skipped
with one message; set EHC_REQUIRE_BROWSER=1 (CI does) to make that an error instead.

Screenshots of every page state a journey checked, with its HTML, go to
test-artifacts/browser/<test>/ when the test fails; EHC_BROWSER_SCREENSHOTS=1 keeps them for
passing tests too, to look at them.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests import summary

from .axe import AXE_SOURCE_PATH
from .helpers import Journey, give_authenticator

CHROMIUM = os.environ.get("EHC_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"

_skip_reason = None


def _why_no_browser():
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (install the dev extras)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set EHC_CHROMIUM)"
    if not AXE_SOURCE_PATH.is_file():
        return f"axe-core is missing at {AXE_SOURCE_PATH}"
    return None


def pytest_collection_modifyitems(config, items):
    global _skip_reason
    ours = [item for item in items if HERE in Path(item.path).parents]
    if not ours:
        return
    for item in ours:
        item.add_marker(pytest.mark.browser)
    _skip_reason = _why_no_browser()
    if _skip_reason is None:
        return
    summary.browser_skip_reason = _skip_reason
    if os.environ.get("EHC_REQUIRE_BROWSER") in {"1", "true", "yes"}:
        raise pytest.UsageError(f"The browser tests cannot run: {_skip_reason}")
    skip = pytest.mark.skip(reason=f"browser tests skipped: {_skip_reason}")
    for item in ours:
        item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def _playwright_browser():
    """One Chromium for this folder's tests, closed when they are done.

    Playwright's sync API keeps an event loop running in this thread, which Django takes for an
    async context and so refuses ORM calls from the test body. There is no async code here, so
    that check is off while the browser is open, and back on for the tests after this folder.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def _media_url_while_the_live_server_starts():
    # Django's live server wraps the app in a media-files handler built from MEDIA_URL, which this
    # app leaves unset (uploads are served only through views that check access). The handler reads
    # it once, as the server starts: a prefix no page links to is set for that moment only.
    original = settings.MEDIA_URL
    settings.MEDIA_URL = "/media-is-never-served-directly/"

    def restore():
        settings.MEDIA_URL = original

    yield restore
    restore()


@pytest.fixture(scope="session")
def live_server(_media_url_while_the_live_server_starts, live_server):
    _media_url_while_the_live_server_starts()
    return live_server


@pytest.fixture
def journey(_playwright_browser, live_server, request, settings):
    # Links in emails (password reset) are built from SITE_URL: point it at this live server.
    settings.SITE_URL = live_server.url
    context = _playwright_browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    journey = Journey(context.new_page(), request.node.name)
    yield journey
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    if failed or os.environ.get("EHC_BROWSER_SCREENSHOTS") in {"1", "true", "yes"}:
        _save_screens(journey, request.node.name, failed=failed)
    context.close()


def _save_screens(journey, test_name, *, failed):
    folder = ARTIFACTS / _slug(test_name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.png"), *folder.glob("*.html"), *folder.glob("*.txt")]:
        old.unlink()
    page = journey.page
    if failed and not page.is_closed():
        try:
            page.screenshot(path=str(folder / "failure.png"), full_page=True)
            (folder / "failure.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # the page may be gone with the failure; the earlier states still help
            (folder / "failure.txt").write_text(f"no screenshot of the failing page: {error}\n")
    redraw = page.context.new_page()
    for number, (state, url, html) in enumerate(journey.states, start=1):
        name = f"{number:02d}-{_slug(state)}"
        (folder / f"{name}.html").write_text(f"<!-- {url} -->\n{html}", encoding="utf-8")
        # Drawn again from the kept HTML at the app's address, so its stylesheets load as they did.
        redraw.goto("/healthz")
        redraw.set_content(html, wait_until="load")
        redraw.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    redraw.close()


def _slug(text):
    return re.sub(r"[^\w.-]+", "-", text).strip("-")


@pytest.fixture
def page(journey):
    return journey.page


@pytest.fixture
def authenticator():
    """authenticator(user) -> a confirmed TOTP device with a key the test knows."""
    return give_authenticator
