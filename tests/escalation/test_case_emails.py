"""The case page's "Emails about this case" (escalation.case_emails): what became of every email, for
the case's LA and its DCO/DMO office only, with no query of its own."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ehc.models import DeliveryStatus, MessageKind, MessageStatus, OutboundEmail

from .conftest import make_request

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2027, 1, 25, 10, 0, tzinfo=datetime.UTC)


def email(case, n, **fields):
    values = {
        "kind": MessageKind.CHASE,
        "dedupe_key": f"case-emails-test:{case.pk}:{n}",
        "case": case,
        "to": ["spoc@provider-ours.example"],
        "subject": f"Chase {case.reference}",
        **fields,
    }
    return OutboundEmail.objects.create(**values)


@pytest.fixture
def case(ours):
    with time_machine.travel(NOW, tick=False):
        case = make_request(ours, notified_on=D(2026, 11, 20), first_name="Ciarán", last_name="O'Neill").case
        sent = timezone.now() - datetime.timedelta(days=2)
        email(
            case,
            1,
            status=MessageStatus.SENT,
            sent_at=sent,
            to=["spoc@provider-ours.example", "gone@provider-ours.example"],
            delivery={"spoc@provider-ours.example": "delivered", "gone@provider-ours.example": "permanent-failure"},
            delivery_status=DeliveryStatus.PERMANENT_FAILURE,
        )
        email(case, 2, kind=MessageKind.ESCALATION_1, status=MessageStatus.SENT, sent_at=sent)
        email(case, 3, kind=MessageKind.ADVICE_REQUESTED, status=MessageStatus.FAILED, attempts=4)
        email(case, 4, kind=MessageKind.ACKNOWLEDGED)
        yield case


def section(client, case):
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    if "Emails about this case" not in html:
        return None
    start = html.index("Emails about this case")
    return html[start : html.index("</table>", start)]


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "dco"])
def test_the_la_and_its_dco_see_what_became_of_each_email(ours, login, case, who):
    shown = section(login(getattr(ours, who)), case)
    assert shown is not None
    assert "Not delivered" in shown and "gone@provider-ours.example" in shown
    assert "(Delivered)" in shown and "(Not delivered: the address does not exist or refuses email)" in shown
    assert "no delivery receipt by SMTP" in shown
    assert "Failing to send" in shown and "4 attempts so far" in shown
    assert "Waiting to send" in shown
    assert shown.count("<tr") == 5  # the header and four emails


@pytest.mark.parametrize("who", ["spoc", "slt_practitioner", "head_of_service"])
def test_providers_do_not_see_the_emails(ours, login, case, who):
    assert section(login(getattr(ours, who)), case) is None


def test_another_las_officer_and_dco_cannot_reach_the_case(theirs, login, case):
    for user in (theirs.case_officer, theirs.dco):
        with time_machine.travel(NOW, tick=False):
            assert login(user).get(f"/cases/{case.pk}/").status_code == 404


def test_the_emails_come_with_the_case_row(ours, login, case):
    client = login(ours.case_officer)
    section(client, case)  # the session's first request may write it
    with CaptureQueriesContext(connection) as queries, time_machine.travel(NOW, tick=False):
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert not [q["sql"] for q in queries if 'FROM "ehc_outboundemail"' in q["sql"].split("ARRAY(")[0]]


def test_a_case_with_more_emails_than_shown_says_so(ours, login, case, monkeypatch):
    from escalation import case_emails

    monkeypatch.setattr(case_emails, "SHOWN", 2)
    shown = section(login(ours.case_officer), case)
    assert "The 2 most recent" in shown and shown.count("<tr") == 3
