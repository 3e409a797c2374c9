"""A returned document waiting for the virus scanner, in the browser: the practitioner and the case
officer both see that it is being checked, and neither gets a download link (issue 13)."""

import datetime
import re
import socket

import pytest
from django.utils import timezone

from ehc.models import Service

from . import scenes
from .helpers import expect, sign_in, url_or_skip
from .test_health_advice import small_pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scanner_down(settings):
    """A clamd that is configured but not answering: documents stay "being checked"."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMD_HOST = "127.0.0.1"
    settings.CLAMD_PORT = port
    settings.CLAMD_TIMEOUT_SECONDS = 2


def test_a_document_being_checked_is_shown_as_such_and_not_offered(
    journey, ours, authenticator, tmp_path, scanner_down
):
    from advice.models import AdviceReturn, KnownStatus, ScanStatus

    url_or_skip("advice:item_return", 1)
    page = journey.page
    case = scenes.open_case(ours)
    notified = timezone.localdate() - datetime.timedelta(days=10)
    advice_request = scenes.advice_requested(ours, case, services=[Service.SLT], on=notified)
    scenes.advice_acknowledged(
        ours, advice_request, teams={ours.slt: KnownStatus.KNOWN_OPEN}, on=notified + datetime.timedelta(days=1)
    )
    item = advice_request.items.get(team=ours.slt)

    authenticator(ours.slt_practitioner)
    sign_in(journey, ours.slt_practitioner)
    page.goto(f"/advice/items/{item.pk}/return/")
    document = tmp_path / "slt-advice.pdf"
    document.write_bytes(small_pdf())
    page.get_by_label(re.compile("Upload the advice")).set_input_files(str(document))
    page.get_by_role("button", name="Return the advice").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Advice returned")
    expect(page.locator(".govuk-tag")).to_contain_text(["Being checked for viruses"])
    expect(page.get_by_role("link", name=re.compile("Download the advice"))).to_have_count(0)
    journey.check("advice item, document being checked")
    assert AdviceReturn.objects.get(item=item).scan_status == ScanStatus.PENDING

    page.goto("/sign-out/")
    page.get_by_role("button", name="Sign out").click()
    authenticator(ours.case_officer)
    sign_in(journey, ours.case_officer)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_text("Document: Being checked for viruses")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Download"))).to_have_count(0)
    journey.check("case page, document being checked")
