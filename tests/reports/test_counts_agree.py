"""Issue 23: the figures agree. On a generated data set (the demo's months of cases replayed through
the real sweep, with a fixed seed, seen on a fixed day), every count a page shows equals the length of
the list it links to, and every page that says a response is owed says it of the same things: the DCO
dashboard, the Responses owed page, the heads of service's queue and every case page. What is owed is
escalation.owed's one definition: returned advice, or a recorded outcome, closes what it answers."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
import time_machine
from django.db.models import Exists, OuterRef
from django.test import Client
from django.urls import reverse

from advice.models import AdviceItem, ItemStatus, Stage
from assessments.models import Case
from ehc.models import MessageKind, MessageStatus, OutboundEmail, Role, User
from escalation.demo import seed_demo
from escalation.demo.changes import ACTING_DIRECTOR
from escalation.models import Escalation, EscalationStage, Letter
from escalation.sweep import sweep_run
from tests.factories import verified_login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        seed_demo(today=TODAY, months=12, sweep=sweep_run)
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["dco", "spoc", "send.manager", "case.officer"])
    }
    return users


def _get(client, url):
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return unescape(body.decode())


def _table_rows(html, caption):
    """The body rows of the table with this caption (an empty table's one "No ..." row is none; a page
    that shows no table when there is nothing to list has none)."""
    if caption not in html:
        return []
    table = html.split(caption, 1)[1].split("</table>", 1)[0]
    body = table.split('<tbody class="govuk-table__body">', 1)[1]
    return [row for row in body.split('<tr class="govuk-table__row">')[1:] if 'colspan="6"' not in row]


def _the_data_set_has_items_at_every_stage_and_closed_after_escalation():
    outstanding = AdviceItem.objects.filter(status=ItemStatus.OUTSTANDING)
    for stage in Stage.values:
        assert outstanding.filter(stage=stage).exists(), stage
    returned = AdviceItem.objects.filter(status=ItemStatus.RETURNED)
    assert returned.filter(stage=Stage.ESCALATION_1).exists()
    assert returned.filter(stage=Stage.ESCALATION_2, head_of_service_responded_at__isnull=True).exists()
    # The case: an escalation 1 letter never answered, for a request whose advice is all in.
    assert (
        Escalation.objects.filter(
            stage=EscalationStage.ESCALATION_1, responded_at__isnull=True, response_due_on__isnull=False
        )
        .exclude(Exists(AdviceItem.objects.filter(request_id=OuterRef("request_id"), status=ItemStatus.OUTSTANDING)))
        .exists()
    )


def _every_count_on_the_dashboard_equals_the_list_it_links_to(demo):
    for username in ("dco", "send.manager"):
        client = verified_login(Client(), demo[username])
        html = _get(client, reverse("reports:dashboard"))
        links = re.findall(r'href="(/reports/dashboard/advice/[^"]*)">([\d,]+)', html)
        assert len(links) >= 12, links
        total = re.search(r'href="/reports/dashboard/advice/">([\d,]+) items? of health advice outstanding', html)
        assert total and int(total.group(1).replace(",", "")) >= 40
        for url, count in links:
            query = url.split("?", 1)[1] if "?" in url else ""
            rows = list(csv.reader(io.StringIO(_get(client, f"{reverse('reports:items_csv')}?{query}"))))
            assert len(rows) - 1 == int(count.replace(",", "")), f"{username}: {url} says {count}"
            page = _get(client, url)
            case_link = r'<td class="govuk-table__cell app-nowrap"[^>]*><a class="govuk-link" href="/cases/'
            shown = len(re.findall(case_link, page))
            assert shown == min(int(count.replace(",", "")), 50), f"{username}: {url}"


def _every_page_that_says_a_response_is_owed_says_it_of_the_same_things(demo):
    dco = verified_login(Client(), demo["dco"])
    dashboard = _get(dco, reverse("reports:dashboard"))
    e1_dashboard = _table_rows(dashboard, "Escalation 1: the DCO office")
    hos_dashboard = _table_rows(dashboard, "Escalation 2: head of service answers")
    owed_page = _table_rows(_get(dco, reverse("escalation:responses_owed")), "Responses owed, by due date")

    def references(rows):
        return sorted(re.search(r">(EHC-[\d-]+)<", row).group(1) for row in rows)

    assert references(e1_dashboard) == references(owed_page)
    assert 0 < len(owed_page)
    assert f'href="{reverse("escalation:responses_owed")}"' in dashboard

    # The heads of service's queue, as the SPOC sees it (every team of the provider): its unanswered rows.
    spoc = verified_login(Client(), demo["spoc"])
    queue = _get(spoc, reverse("escalation:hos_queue"))
    assert "Next page" not in queue
    unanswered = [row for row in _table_rows(queue, "Waiting for the advice") if "Record the outcome" in row]
    assert sorted(references(hos_dashboard)) == sorted(references(unanswered))

    # Every case page, as the DCO sees it: what it says is waiting is what the lists hold.
    waiting_hos, waiting_dco = [], []
    # (A case with no escalation says neither; the others are read in full.)
    escalated = Case.objects.filter(Exists(Escalation.objects.filter(request__case_id=OuterRef("pk"))))
    closed_after_escalation_2 = set(
        AdviceItem.objects.filter(
            stage=Stage.ESCALATION_2, head_of_service_responded_at__isnull=True, status=ItemStatus.RETURNED
        ).values_list("case__reference", flat=True)
    )
    said_no_answer_needed = set()
    for case in escalated.order_by("pk"):
        page = _get(dco, reverse("assessments:case_detail", args=[case.pk]))
        waiting_hos += [case.reference] * page.count("Waiting for the head of service: due")
        waiting_dco += [case.reference] * page.count("from the DCO/DMO office")
        if "No answer needed from the head of service: returned on" in page:
            said_no_answer_needed.add(case.reference)
    assert closed_after_escalation_2 and closed_after_escalation_2 <= said_no_answer_needed
    assert sorted(waiting_hos) == references(hos_dashboard)
    assert sorted(waiting_dco) == references(owed_page)
    print(f"counts agree: {len(owed_page)} escalation 1 responses owed, {len(hos_dashboard)} head of service answers")


def _the_demo_sends_an_example_of_each_kind(mailbox):
    """What `make run` leaves to look at without another command: in var/mail/ (here the test mailbox)
    one email of every kind (escalation.demo.examples)."""
    kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
    assert kinds == set(MessageKind.values), sorted(set(MessageKind.values) - kinds)
    assert len(mailbox) == len(kinds)
    print(f"demo mailbox: {len(mailbox)} emails, one of each of {len(kinds)} of {len(MessageKind.values)} kinds")
    assert len({message.extra_headers["Message-ID"] for message in mailbox}) == len(kinds)
    assert OutboundEmail.objects.exclude(status=MessageStatus.SENT).count() == 0


def _the_demo_shows_letters_approved_and_the_acting_director():
    """The demo's last weeks (escalation.demo.changes): letters approved by the AD Education, one of
    them only after business support was told it had waited a working day; and the acting director's
    letters-only account, invited from a letter addressed to them, beside the director's own login."""
    approval_began = TODAY - datetime.timedelta(days=28)
    flagged = Letter.objects.filter(approval_overdue_flagged_at__isnull=False)
    assert flagged.exists()
    assert not Letter.objects.filter(approval_required=True, escalation__issued_on__lt=approval_began).exists()
    for letter in flagged:
        assert letter.approved_at is None or letter.approved_at > letter.approval_overdue_flagged_at
    approved = Letter.objects.filter(approval_required=True, approved_at__isnull=False)
    assert approved.exists() and all(letter.dated == letter.escalation.issued_on for letter in approved)
    assert not Letter.objects.filter(approval_required=False, escalation__issued_on__gte=approval_began).exists()
    acting = User.objects.get(email=ACTING_DIRECTOR["director_email"])
    assert acting.roles == [Role.LETTERS_ONLY] and not acting.has_usable_password()
    director = User.objects.get(username="alliance.director")
    assert Letter.objects.filter(addressed_to__iexact=director.email).exists()
    assert Letter.objects.filter(addressed_to__iexact=acting.email).exists()
    print(
        f"demo letters: {approved.count()} approved by the AD, {flagged.count()} flagged to business support "
        f"first, {Letter.objects.filter(addressed_to__iexact=acting.email).count()} to the acting director"
    )


def test_the_figures_agree_on_a_generated_year(demo, mailoutbox):
    """One data set (seeding it is most of the cost), five checks."""
    _the_demo_sends_an_example_of_each_kind(list(mailoutbox))
    _the_demo_shows_letters_approved_and_the_acting_director()
    _the_data_set_has_items_at_every_stage_and_closed_after_escalation()
    _every_count_on_the_dashboard_equals_the_list_it_links_to(demo)
    _every_page_that_says_a_response_is_owed_says_it_of_the_same_things(demo)
