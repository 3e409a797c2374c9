"""WCAG 2.2 1.4.10 Reflow: at 320 CSS pixels wide (1280 pixels zoomed to 400%) a page scrolls one way only.

axe cannot judge this; the browser can. Data tables may scroll sideways on their own (the criterion
excepts content that needs two dimensions), but the page around them must not.
"""

import pytest

from ..factories import CaseFactory
from .helpers import expect, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => !el.closest("table") && el.getBoundingClientRect().right > width + 1)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""));
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
}"""


def assert_reflows(journey, state):
    journey.check(f"{state} at 320 pixels")
    result = journey.page.evaluate(_OVERFLOW)
    assert not result["wide"], f"{state}: wider than {result['width']}px: {result['wide']}"


def test_pages_reflow_at_320_pixels(journey, ours, authenticator):
    page = journey.page
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/sign-in/")
    assert_reflows(journey, "sign-in page")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_reflows(journey, "sign-in with nothing entered")
    page.goto("/accessibility/")
    assert_reflows(journey, "accessibility statement")

    case = CaseFactory(local_authority=ours.la, case_officer=ours.case_officer)
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    assert_reflows(journey, "caseload")
    page.goto("/cases/new/")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_reflows(journey, "new request form with errors")
    page.goto(f"/cases/{case.pk}/")
    assert_reflows(journey, "case page")
    page.goto("/cases/0/")
    assert_reflows(journey, "page not found")
