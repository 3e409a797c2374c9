"""Sortable headers and ticked rows in the browser: the outstanding advice list and the caseload
pass axe sorted either way, the keyboard reaches a header link and it says (to a screen reader) how
the column is sorted, the ticked rows download as CSV without script, and at 320 px the sort links
stay on screen without the page scrolling sideways."""

import datetime

import pytest

from tests.factories import CaseFactory
from tests.reports.helpers import item

from .helpers import expect, sign_in, tab_to

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.timedelta(days=1)

_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"
_SORT_LINKS_OFF_SCREEN = """() => [...document.querySelectorAll(".app-sort-link")]
  .filter((a) => { const r = a.getBoundingClientRect(); return r.width === 0 || r.left < 0 || r.right > innerWidth; })
  .map((a) => a.innerText)"""


def test_the_dco_sorts_the_outstanding_advice_and_downloads_the_rows_ticked(journey, ours, authenticator):
    today = datetime.date.today()
    teams = [ours.slt, ours.ot] * 3
    rows = [item(ours, notified_on=today - (50 + n) * DAY, team=team) for n, team in enumerate(teams)]
    page = journey.page
    authenticator(ours.dco)
    sign_in(journey, ours.dco)
    page.goto("/reports/dashboard/advice/")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Due")
    journey.check("outstanding advice, most overdue first")

    # The keyboard reaches the Team header; its name says it is not sorted and what it does.
    info = tab_to(page, ".app-sort-link[href$='sort=team']")
    assert info["text"].startswith("Team")
    assert "not sorted. Sort by this column" in page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Team")
    page.locator("th[aria-sort=ascending] a").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Team")
    assert "sort=-team" in page.url
    journey.check("outstanding advice, teams Z to A")
    teams = page.locator("td[data-label=Team]").all_inner_texts()
    assert teams == sorted(teams, key=str.lower, reverse=True)

    # Two rows ticked, by their labels (the case reference and team), then the download.
    first, second = rows[0], rows[3]
    for row in (first, second):
        page.get_by_label(f"Tick {row.case.reference}, {row.team.name}").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the rows you ticked as CSV").click()
    body = open(download.value.path(), encoding="utf-8-sig").read()
    assert first.case.reference in body and second.case.reference in body
    assert rows[1].case.reference not in body

    # At 320 px the list stacks; the sort links are on screen and the page does not scroll sideways.
    for width in (320, 375):
        page.set_viewport_size({"width": width, "height": 700})
        assert not page.evaluate(_SIDEWAYS)
        assert page.evaluate(_SORT_LINKS_OFF_SCREEN) == []
    journey.check("outstanding advice at 375 px")


def test_the_case_officer_sorts_the_caseload(journey, ours, authenticator):
    for surname in ("O'Neill", "adams", "Brown"):
        CaseFactory(local_authority=ours.la, case_officer=ours.case_officer, last_name=surname)
    page = journey.page
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    page.goto("/cases/?sort=-child")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Child")
    journey.check("caseload, children by surname Z to A")
    page.goto("/cases/?sort=officer&show=closed")
    journey.check("closed cases by officer")
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto("/cases/?sort=-next")
    assert not page.evaluate(_SIDEWAYS)
    assert page.evaluate(_SORT_LINKS_OFF_SCREEN) == []
