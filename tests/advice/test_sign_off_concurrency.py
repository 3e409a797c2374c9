"""Two team leads signing off the same waiting return at the same moment make one return: each
locks the item row first (select_for_update), and the second finds the work done."""

import threading

import pytest
from django.db import connection

from advice.models import AdviceReturn, ItemStatus
from advice.services import AdviceError, return_sign_off
from ehc.models import MessageKind, OutboundEmail

from .conftest import NOTIFIED
from .sign_off import RETURNED_ON, make_lead, require_sign_off, send, slt_item


@pytest.mark.django_db(transaction=True)
def test_two_leads_signing_off_at_once_make_one_return(ours, case, travel):
    require_sign_off(ours.slt)
    leads = [
        make_lead(ours, ours.slt, "lead-ours"),
        make_lead(ours, ours.slt, "lead2-ours", first="Dara", last="Ní Bhriain"),
    ]
    travel(NOTIFIED)
    item = slt_item(case, ours)
    travel(RETURNED_ON)
    send(item, ours.slt_practitioner)

    start = threading.Barrier(len(leads))
    outcomes = []

    def sign_off(lead):
        try:
            start.wait(timeout=10)
            outcomes.append(("returned", return_sign_off(item=item, user=lead).pk))
        except AdviceError as refused:
            outcomes.append(("refused", refused.message))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_off, args=(lead,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(kind for kind, _ in outcomes) == ["refused", "returned"], outcomes
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED
    assert AdviceReturn.objects.filter(item=item).count() == 1
    assert OutboundEmail.objects.filter(kind=MessageKind.ADVICE_RETURNED, advice_request=item.request).count() == 1
