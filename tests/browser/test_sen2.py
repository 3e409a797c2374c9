"""The SEN2 return in the browser: business support checks the return, reads what to put right,
corrects a wrong LA number and downloads the draft marked NOT VALID. Every state is checked by axe."""

import datetime

from lxml import etree

from tests.factories import CaseFactory

from .helpers import expect, sign_in

D = datetime.date


def test_business_support_checks_the_sen2_return_and_downloads_the_marked_draft(journey, ours, authenticator, tmp_path):
    page = journey.page
    CaseFactory(local_authority=ours.la, last_name="O'Neill", received_on=D(2025, 3, 3), postcode="")
    authenticator(ours.business_support)
    sign_in(journey, ours.business_support)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="SEN2 return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SEN2 return")
    expect(page.locator("#sen2-not-valid")).to_contain_text("It is not ready to submit")
    expect(page.locator("#sen2-to-fix")).to_contain_text("O'Neill")
    expect(page.locator("#sen2-to-fix")).to_contain_text("Postcode: missing")
    journey.check("SEN2 return, what to put right")

    page.get_by_label("DfE local authority number (optional)").fill("88")
    page.get_by_role("button", name="Check the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the DfE local authority number as 3 digits")
    journey.check("SEN2 return, LA number wrong")

    page.get_by_label("DfE local authority number (optional)").fill("880")
    page.get_by_role("button", name="Check the return").click()
    expect(page.locator("#sen2-header-failures")).not_to_contain_text("DfE local authority number")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the draft marked NOT VALID (XML)").click()
    assert download_info.value.suggested_filename == "sen2-2026-2026-01-15-NOT-VALID.xml"
    saved = tmp_path / "sen2.xml"
    download_info.value.save_as(saved)
    root = etree.fromstring(saved.read_bytes())
    assert root.findtext("Header/Source/LEA") == "880"
    assert "O'Neill" in root.xpath("//Person/Surname/text()")
