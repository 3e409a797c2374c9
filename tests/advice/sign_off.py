"""What the sign-off tests share: a team that requires sign-off, its leads, and an item waiting."""

import datetime

from advice.models import AdviceItem
from advice.services import return_send_for_sign_off
from advice.uploads import check_upload
from ehc.models import Role
from tests.factories import UserFactory

from .conftest import NOTIFIED, request_advice
from .files import pdf_bytes, upload

CONTENT = {
    "description_of_needs": "Robin needs help with speech sounds.",
    "provision_required": "Weekly therapy in school.",
    "outcomes": "Understood by friends at school.",
}
RETURNED_ON = NOTIFIED + datetime.timedelta(days=14)


def make_lead(world, team, username, first="Siobhán", last="O'Neill"):
    lead = UserFactory(
        username=username,
        first_name=first,
        last_name=last,
        organisation=world.provider,
        roles=[Role.PRACTITIONER],
        teams=[team],
    )
    team.leads.add(lead)
    return lead


def require_sign_off(team):
    team.returns_need_sign_off = True
    team.save(update_fields=["returns_need_sign_off", "updated_at"])


def slt_item(case, world):
    advice_request = request_advice(case, world)
    return AdviceItem.objects.get(request=advice_request, team=world.slt)


def send(item, user, *, documents=("advice.pdf",), reason="", revision=None, **content):
    uploads = []
    for name in documents:
        file = upload(name, pdf_bytes(name))
        uploads.append((file, check_upload(file)))
    return return_send_for_sign_off(
        item=item,
        user=user,
        content={**CONTENT, **content},
        uploads=uploads,
        returned_on=None if reason else RETURNED_ON,
        reason=reason,
        revision=revision,
    )
