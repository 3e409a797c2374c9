"""Every page each demo user can reach, at 320 and 375 CSS pixels wide, scrolls one way only
(WCAG 2.2 1.4.10 Reflow); its tables sit in a region that scrolls on its own and says what it is,
and the work lists become stacked lists whose reference, due date and status show without scrolling,
and which a screen reader hears as the same table as at full width.

The pages are found as the people would find them: signed in as each of the README's demo users
(ehc.demo, with a couple of months of the demo's cases), from the home page, following every link
on every page, one page of each kind (URL name), downloads and sign-out left out.
"""

import datetime
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (320, 375)
# Links that are not pages: downloads, the sign-out, the Django admin (its own pages, for the
# platform operator only) and the JSON API.
NOT_PAGES = (
    "/sign-out/", "/admin/", "/api/", "/document/", "/download", ".csv", ".pdf", ".xml", ".xlsx", "format=",
    "/letterhead/preview/", "/letterhead/logo/", "/letterhead/signature/",
)
MOST_PAGES_A_USER_HAS = 60

_SIDEWAYS = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => !(el.parentElement && el.parentElement.closest(".app-table-region")))
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""));
  const bare = [...document.querySelectorAll("table.govuk-table")]
    .filter((table) => !table.closest(".app-table-region"))
    .map((table) => (table.caption ? table.caption.textContent : table.id || "a table").trim().slice(0, 60));
  const regions = [...document.querySelectorAll(".app-table-region")].map((region) => {
    const label = document.getElementById(region.getAttribute("aria-labelledby") || "");
    return {
      role: region.getAttribute("role"), tabindex: region.getAttribute("tabindex"),
      label: label ? label.textContent.trim().slice(0, 60) : null,
    };
  });
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8), bare, regions};
}"""

# In a stacked list the key columns are read without scrolling: each named cell starts inside the screen.
_STACKED_CELLS_OUT_OF_VIEW = """() => [...document.querySelectorAll(".app-table--stack td[data-label]")]
  .filter((cell) => /^(Case|Reference|Due|Advice due|Status|Response due)$/.test(cell.dataset.label))
  .filter((cell) => cell.getBoundingClientRect().left < 0 || cell.getBoundingClientRect().left > window.innerWidth - 20)
  .map((cell) => cell.dataset.label + ": " + cell.innerText.slice(0, 40))"""


def _page_kind(url):
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.view_name


def _links(page, base):
    hrefs = page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.getAttribute('href'))")
    for href in hrefs:
        if href.startswith("/") and not href.startswith("//") and not any(part in href for part in NOT_PAGES):
            yield href.split("#")[0]


def _stacked_tables(page):
    """What a screen reader is given for each stacked list: its accessibility tree (roles, names)."""
    # The header row and the first three rows of each: the rest are made by the same template.
    rows = page.locator("table.app-table--stack").locator("tr")
    return [rows.nth(index).aria_snapshot() for index in range(min(rows.count(), 4))]


def _problems_on(page, where, heard):
    problems = []
    # Stacking is for the eye only: at 320 px a screen reader must hear the same table, its column
    # headers and cells, as at full width (display: block must not strip the table's roles, and the
    # column names shown before each value must not be read twice).
    wide = _stacked_tables(page)
    if wide and ("columnheader" not in wide[0] or not all("- cell" in row for row in wide[1:])):
        problems.append(f"{where}: a stacked list is not a table to a screen reader: {wide[:2]}")
    if wide:
        heard.append(where)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 700})
        found = page.evaluate(_SIDEWAYS)
        if found["scroll"] > found["width"]:
            sideways = f"{found['scroll']} > {found['width']}"
            problems.append(f"{where} at {width}px scrolls sideways ({sideways}): {found['wide']}")
        if found["bare"]:
            problems.append(f"{where}: tables outside a scrollable region: {found['bare']}")
        for region in found["regions"]:
            if region["role"] != "region" or region["tabindex"] != "0" or not region["label"]:
                problems.append(f"{where}: a table region not announced: {region}")
        narrow = _stacked_tables(page)
        if narrow != wide:
            lines = [
                (before, after)
                for one, other in zip(wide, narrow, strict=False)
                for before, after in zip(one.splitlines(), other.splitlines(), strict=False)
                if before != after
            ]
            problems.append(f"{where} at {width}px: a screen reader hears the stacked list differently: {lines[:2]}")
        hidden = page.evaluate(_STACKED_CELLS_OUT_OF_VIEW)
        if hidden:
            problems.append(f"{where} at {width}px: key columns out of view: {hidden[:3]}")
    return problems


@pytest.fixture
def demo_world():
    from ehc.demo import DEMO_PASSWORD, DEMO_USERS
    from ehc.models import User
    from escalation.demo import seed_demo
    from escalation.sweep import sweep_run

    seed_demo(today=datetime.date.today(), months=2, sweep=sweep_run)
    users = [User.objects.get(username=row[0]) for row in DEMO_USERS]
    return users, DEMO_PASSWORD


def test_no_page_scrolls_sideways_at_320_or_375_pixels_for_any_demo_user(journey, demo_world):
    users, password = demo_world
    page = journey.page
    problems, visited, heard = [], {}, []
    for user in users:
        page.context.clear_cookies()
        sign_in(journey, user, password=password)
        if user.is_superuser:
            # The platform operator's pages are the Django admin's; their home page is ours.
            expect(page.locator("h1")).to_be_visible()
        queue, kinds = deque([page.url]), set()
        while queue and len(kinds) < MOST_PAGES_A_USER_HAS:
            url = queue.popleft()
            kind = _page_kind(url)
            if kind is None or kind in kinds or kind == "logout":
                continue
            kinds.add(kind)
            page.set_viewport_size({"width": 1280, "height": 900})
            try:
                response = page.goto(url)
            except Exception as error:  # noqa: BLE001 - a download or a crash, reported with the rest
                problems.append(f"{user.username}: {url} did not open as a page: {error}")
                continue
            if response is None or response.status >= 400 or urlsplit(page.url).path.startswith("/sign-in"):
                problems.append(f"{user.username}: {url} answered {response and response.status}")
                continue
            problems += _problems_on(page, f"{user.username} {urlsplit(page.url).path}", heard)
            queue.extend(_links(page, url))
        visited[user.username] = sorted(kinds)
    print({name: len(kinds) for name, kinds in visited.items()})
    print(f"stacked lists heard the same at 1280, 375 and 320 px: {len(heard)}")
    assert sum(len(kinds) for kinds in visited.values()) > 100, visited
    assert len(heard) >= 8
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
