"""The dashboard and the reports moved from /escalation/ to /reports/ (decision 0015). Each old address
is a permanent redirect to the new one, query string and all, so bookmarks and links in emails
already sent still open the same page; the new address decides who may see it."""

import datetime

import pytest
from django.test import Client

from .helpers import item

DAY = datetime.timedelta(days=1)

# The addresses as they were, written out (not reversed), and where each one now lives.
MOVED = [
    ("/escalation/dashboard/", "/reports/dashboard/", "provider=7&la=3"),
    ("/escalation/dashboard/advice/", "/reports/dashboard/advice/", "stage=past_due&sort=-due"),
    ("/escalation/dashboard/advice.csv", "/reports/dashboard/advice.csv", "stage=promise_passed"),
    ("/escalation/reports/", "/reports/", "from=email"),
    (
        "/escalation/reports/non-return-audit/",
        "/reports/non-return-audit/",
        "start_0=1&start_1=4&start_2=2026&end_0=30&end_1=6&end_2=2026&format=csv&table=not-provided",
    ),
    ("/escalation/reports/monthly/", "/reports/monthly/", "format=pdf"),
    ("/escalation/reports/timeliness/", "/reports/timeliness/", "la=1&name=O%27Neill"),
]


@pytest.mark.parametrize("old, new, query", MOVED)
def test_an_old_address_redirects_permanently_with_its_query_string(ours, login, on_today, old, new, query):
    response = login(ours.dco).get(f"{old}?{query}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{new}?{query}"


@pytest.mark.parametrize("old, new", [(old, new) for old, new, _ in MOVED])
def test_an_old_address_without_a_query_string_redirects_to_the_bare_new_one(ours, login, on_today, old, new):
    response = login(ours.dco).get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


def test_the_dco_following_an_old_link_gets_the_same_page(ours, login, on_today):
    advice = item(ours, notified_on=on_today - 50 * DAY)
    client = login(ours.dco)
    old = client.get("/escalation/dashboard/advice/", {"stage": "past_due"}, follow=True)
    new = client.get("/reports/dashboard/advice/", {"stage": "past_due"})
    assert old.redirect_chain == [("/reports/dashboard/advice/?stage=past_due", 301)]
    assert old.status_code == new.status_code == 200
    assert advice.case.reference in old.content.decode()
    assert old.context["description"] == new.context["description"] == "past the due date (any stage)"


def test_the_new_address_still_decides_who_sees_the_page(ours, login, on_today):
    """A provider's SPOC, and an anonymous visitor, are redirected like anyone, then refused or sent
    to sign in by the page itself."""
    spoc = login(ours.spoc).get("/escalation/dashboard/", follow=True)
    assert spoc.redirect_chain == [("/reports/dashboard/", 301)]
    assert spoc.status_code == 404
    anonymous = Client().get("/escalation/reports/monthly/", follow=True)
    assert anonymous.redirect_chain[0] == ("/reports/monthly/", 301)
    assert anonymous.redirect_chain[1][0].startswith("/sign-in/?next=/reports/monthly/")


def test_an_old_address_answers_get_only_like_the_page(ours, login, on_today):
    client = login(ours.dco)
    assert client.post("/escalation/dashboard/").status_code == 405
    assert client.post("/reports/dashboard/").status_code == 405
