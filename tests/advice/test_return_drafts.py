"""Appendix C saved as the team's draft and finished later (issue 23): the team's, seen only by those
who may return the advice, never counted as returned, never lost, never cut."""

import datetime

import pytest
from django.urls import reverse

from advice.drafts import ReturnDraft
from advice.forms import ADVICE_TEXT_LIMIT
from advice.models import AdviceItem, ItemStatus
from advice.services import AdviceError, advice_return, return_draft_save
from ehc.models import OutboundEmail, Role
from reports.selectors.outcomes import OUTSTANDING, RETURNED, WITHIN, period_items
from tests.factories import UserFactory

from .conftest import NOTIFIED, date_fields, request_advice


@pytest.fixture
def slt_item(ours, case, travel):
    travel(NOTIFIED)
    advice_request = request_advice(case, ours)
    return AdviceItem.objects.get(request=advice_request, team=ours.slt)


def _draft_post(client, item, revision=0, **content):
    return client.post(
        reverse("advice:item_return", args=[item.pk]),
        {"action": "draft", "draft_revision": revision, **content},
    )


def test_a_draft_is_saved_and_finished_by_a_colleague(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=3))
    slt = login(ours.slt_practitioner)
    emails_before = OutboundEmail.objects.count()
    response = _draft_post(slt, slt_item, description_of_needs="Needs: first thoughts.", outcomes="")
    assert response.status_code == 302, response.content.decode()

    slt_item.refresh_from_db()
    # Not returned: outstanding, its timer running, nobody told.
    assert (slt_item.status, slt_item.returned_on) == (ItemStatus.OUTSTANDING, None)
    assert slt_item.next_action_on is not None
    assert OutboundEmail.objects.count() == emails_before
    draft = ReturnDraft.objects.get(item=slt_item)
    assert (draft.revision, draft.saved_by, draft.description_of_needs) == (
        1,
        ours.slt_practitioner,
        "Needs: first thoughts.",
    )
    page = slt.get(reverse("advice:item_detail", args=[slt_item.pk])).content.decode()
    assert "Finish the draft" in page
    assert "Draft saved" in slt.get(reverse("advice:team_queue")).content.decode()

    # Another practitioner of the team opens the form: the draft is there; they finish and return it.
    colleague = UserFactory(
        username="slt-second", organisation=ours.provider, roles=[Role.PRACTITIONER], teams=[ours.slt]
    )
    travel(NOTIFIED + datetime.timedelta(days=10))
    other = login(colleague)
    form_page = other.get(reverse("advice:item_return", args=[slt_item.pk])).content.decode()
    assert "Needs: first thoughts." in form_page
    assert 'name="draft_revision" value="1"' in form_page
    response = other.post(
        reverse("advice:item_return", args=[slt_item.pk]),
        {
            "action": "return",
            "draft_revision": 1,
            **date_fields("returned_on", NOTIFIED + datetime.timedelta(days=10)),
            "description_of_needs": "Needs: first thoughts, finished.",
            "provision_required": "Weekly therapy.",
            "outcomes": "Robin is understood.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    slt_item.refresh_from_db()
    assert slt_item.status == ItemStatus.RETURNED
    assert slt_item.advice_return.description_of_needs == "Needs: first thoughts, finished."
    # The draft is used up; its text stays in its history.
    assert not ReturnDraft.objects.filter(item=slt_item).exists()
    assert ReturnDraft.history.filter(item_id=slt_item.pk, description_of_needs="Needs: first thoughts.").exists()


def test_a_draft_is_never_counted_as_returned(ours, case, slt_item, travel):
    travel(NOTIFIED + datetime.timedelta(days=2))
    return_draft_save(
        item=slt_item,
        user=ours.slt_practitioner,
        content={"description_of_needs": "x", "provision_required": "y", "outcomes": "z"},
        returned_on=NOTIFIED + datetime.timedelta(days=2),
    )
    items = period_items(user=ours.dco, start=NOTIFIED, end=NOTIFIED + datetime.timedelta(days=60))
    assert items.filter(pk=slt_item.pk).exists()
    assert not items.filter(RETURNED).exists() and not items.filter(WITHIN).exists()
    assert items.filter(OUTSTANDING, pk=slt_item.pk).exists()


def test_a_draft_keeps_text_past_the_return_limit_and_the_return_refuses_it(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=3))
    slt = login(ours.slt_practitioner)
    long_text = "word " * (ADVICE_TEXT_LIMIT // 5) + "the end"
    assert len(long_text) > ADVICE_TEXT_LIMIT
    assert _draft_post(slt, slt_item, description_of_needs=long_text).status_code == 302
    assert ReturnDraft.objects.get(item=slt_item).description_of_needs == long_text

    response = slt.post(
        reverse("advice:item_return", args=[slt_item.pk]),
        {
            "action": "return",
            "draft_revision": 1,
            **date_fields("returned_on", NOTIFIED + datetime.timedelta(days=3)),
            "description_of_needs": long_text,
            "provision_required": "p",
            "outcomes": "o",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Description of needs must be 10,000 characters or fewer" in page
    assert "the end" in page  # shown whole, to be shortened
    slt_item.refresh_from_db()
    assert slt_item.status == ItemStatus.OUTSTANDING
    assert ReturnDraft.objects.get(item=slt_item).description_of_needs == long_text


def test_two_people_saving_the_same_draft_do_not_overwrite_each_other(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=3))
    return_draft_save(item=slt_item, user=ours.spoc, content={"outcomes": "The SPOC's words"}, revision=0)
    slt = login(ours.slt_practitioner)
    # The practitioner opened the form before the SPOC saved (revision 0): refused, their text kept.
    response = _draft_post(slt, slt_item, revision=0, outcomes="The practitioner's words")
    page = response.content.decode()
    assert response.status_code == 200
    assert "since you opened it: nothing was saved" in page
    assert "The practitioner&#x27;s words" in page
    assert ReturnDraft.objects.get(item=slt_item).outcomes == "The SPOC's words"
    # Nor may a return made from the older page overwrite the draft silently.
    with pytest.raises(AdviceError, match="since you opened it"):
        advice_return(
            item=slt_item,
            user=ours.slt_practitioner,
            returned_on=NOTIFIED + datetime.timedelta(days=3),
            content={"description_of_needs": "a", "provision_required": "b", "outcomes": "c"},
            draft_revision=0,
        )


def test_a_draft_is_seen_only_by_those_who_may_return_the_advice(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=3))
    return_draft_save(item=slt_item, user=ours.slt_practitioner, content={"outcomes": "Private draft words"})
    detail = reverse("advice:item_detail", args=[slt_item.pk])
    for user in (ours.spoc, ours.slt_practitioner):
        assert "Private draft words" not in login(user).get(detail).content.decode()
        assert "Saved by" in login(user).get(detail).content.decode()
    # The council and the other team see the item (or not at all) but never the draft.
    for user in (ours.case_officer, ours.ot_practitioner, ours.dco):
        response = login(user).get(detail)
        assert "Saved by" not in response.content.decode()
        assert response.status_code in (200, 404)
        form = login(user).get(reverse("advice:item_return", args=[slt_item.pk]))
        assert form.status_code == 404


def test_saving_a_draft_asks_for_nothing_but_refuses_a_real_date_error(ours, slt_item, login, travel):
    travel(NOTIFIED + datetime.timedelta(days=3))
    slt = login(ours.slt_practitioner)
    assert _draft_post(slt, slt_item).status_code == 302
    response = _draft_post(slt, slt_item, revision=1, returned_on_0="31", returned_on_1="2", returned_on_2="2026")
    assert response.status_code == 200
    assert "must be a real date" in response.content.decode()
    assert ReturnDraft.objects.get(item=slt_item).revision == 1
