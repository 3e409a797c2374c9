"""Issue 23: the home page's counts agree with the lists they link to. On the demo's generated year
(replayed through the real sweep, fixed seed, seen on a fixed day), every demo user's home page is
read and each count followed: the table its link names holds exactly that many rows (up to the
page's 50; beyond that the page is full and offers the next)."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ehc.demo import DEMO_USERS
from ehc.models import User
from escalation.demo import seed_demo
from escalation.sweep import sweep_run
from tests.factories import verified_login

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
PAGE_SIZE = 50
# A case officer's cases awaiting a decision to assess and ready to draft (the caseload's Stage filter), a
# practitioner's drafts started (the team queue's "Only drafts you started").
FILTERED = ("stage=awaiting_decision", "stage=ready_to_draft", "drafts=mine")
TASK = re.compile(r'<a class="govuk-link" href="([^"]+)" data-count="(\d+)" data-list="([^"]+)">')


def _get(client, url):
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _rows(html, caption):
    """The body rows of the table whose caption holds `caption` (an empty table's one row is none)."""
    tables = re.split(r"<caption[^>]*>", html)[1:]
    for table in tables:
        if caption in unescape(table.split("</caption>", 1)[0]):
            body = table.split("</table>", 1)[0].split('<tbody class="govuk-table__body">', 1)[1]
            rows = body.split('<tr class="govuk-table__row"')[1:]
            return [row for row in rows if "colspan=" not in row.split("</tr>", 1)[0]]
    return []


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        seed_demo(today=TODAY, months=12, sweep=sweep_run)
    # Each demo user with a home page: a letters-only account, a commissioner and the platform operator go to
    # their one page.
    names = [row[0] for row in DEMO_USERS if row[0] not in ("alliance.director", "commissioner", "platform.admin")]
    return {user.username: user for user in User.objects.filter(username__in=names)}


def test_every_count_on_every_demo_users_home_page_is_the_length_of_the_list_it_links_to(demo):
    checked, counted, filtered = {}, {}, {}
    for username, user in sorted(demo.items()):
        client = verified_login(Client(), user)
        home = _get(client, reverse("home"))
        for url, count, caption in TASK.findall(home):
            url, caption, count = unescape(url), unescape(caption), int(count)
            rows = _rows(_get(client, url), caption)
            assert len(rows) == min(count, PAGE_SIZE), f"{username}: {count} on home, {len(rows)} at {url} ({caption})"
            checked[username] = checked.get(username, 0) + 1
            counted[caption] = counted.get(caption, 0) + count
            for name in FILTERED:
                if name in url:
                    filtered[name] = filtered.get(name, 0) + count
    # Not vacuous: the demo's year gives each kind of user work, and most kinds of list rows.
    for username in ("case.officer", "business.support", "send.manager", "spoc", "physio.lead", "dco"):
        assert checked.get(username), username
    for caption in (
        "Open cases by next statutory date",
        "Outstanding health advice",
        "Overdue",
        "Due in the next 2 weeks",
        "Advice to write, by due date",
        "Waiting for the advice, by response date",
        "Responses owed, by due date",
        "Advice awaiting your sign-off, oldest first",
        "Drafts you started, by due date",
    ):
        assert counted.get(caption), caption
    # The counts whose lists are a filter of a list the home page counts otherwise too: each filter seen.
    for name in FILTERED:
        assert filtered.get(name), name
    print(f"home counts agree: {sum(checked.values())} counts on {len(checked)} home pages; filtered: {filtered}")
