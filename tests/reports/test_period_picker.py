"""The reports' period picker offers each period once, and never the one already on screen; a choice
refused is said in the product's words."""

import re

import pytest

from ehc.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _choices(body):
    picker = re.search(r"Or choose a period:</p>\s*<ul class=\"govuk-list\">(.*?)</ul>", body, re.S)
    return re.findall(r'<a class="govuk-link" href="[^"]*">([^<]+)</a>', picker.group(1)) if picker else []


@pytest.mark.parametrize("path", ["/reports/non-return-audit/", "/reports/monthly/", "/reports/timeliness/"])
def test_each_period_is_offered_once_and_not_the_one_shown(ours, login, on_today, path):
    manager = UserFactory(username="send-manager-picker", organisation=ours.la, roles=[Role.SEND_MANAGER])
    body = login(manager).get(path).content.decode()
    after_picker = body.split("Or choose a period:")[-1].split("</ul>", 1)[-1]
    shown = re.search(r"(\d{1,2} \w+ \d{4} to \d{1,2} \w+ \d{4})", after_picker).group(1)
    choices = _choices(body)
    assert len(choices) == len(set(choices)), choices
    assert shown not in choices, (shown, choices)
    assert ".." not in re.sub(r"<[^>]+>", "", body)


def test_the_monthly_report_offers_no_picker_when_its_one_period_is_on_screen(ours, login, on_today):
    manager = UserFactory(username="send-manager-picker", organisation=ours.la, roles=[Role.SEND_MANAGER])
    body = login(manager).get("/reports/monthly/").content.decode()
    assert "Or choose a period:" not in body


def test_a_local_authority_not_in_scope_is_refused_in_plain_words(ours, theirs, login, on_today):
    body = login(ours.dco).get("/reports/non-return-audit/", {"la": theirs.la.pk, "provider": "x"}).content.decode()
    assert "Select a local authority from the list" in body
    assert "Select a provider from the list" in body
    assert "Select a valid choice" not in body
