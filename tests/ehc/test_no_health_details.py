"""No health details by email (issue 14; DOMAIN.md "What the system produces").

One child, Siobhán O'Neill, walks the whole loop through the services and the sweep, and every email
the product can send is sent for her case: subject, text, HTML, attachment names and attachment text
are searched for her name, date of birth, NHS number, address and the names of the teams involved.
A letter names the child, so it may be attached only to an email whose every address is on the LA's
list of secure domains; every other email carries no attachment at all. A `MessageKind` that this walk
does not send fails the test: a new kind of email has to be added here, and so checked, before it
can land.
"""

import datetime
import io
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from advice.discussion.services import discussion_message_post
from advice.models import DelayReason, KnownStatus
from advice.quality.models import SendBackReason
from advice.quality.services import advice_send_back
from advice.services import (
    TeamAnswer,
    advice_acknowledge,
    advice_request_send,
    advice_return,
    draft_plan_record,
    return_send_back,
    return_send_for_sign_off,
    return_sign_off,
)
from assessments.models import CaseStatus
from ehc import outbox
from ehc.invitations import invitation_send
from ehc.models import LocalAuthoritySettings, MessageKind, MessageStatus, OutboundEmail, Role, Service
from escalation.approvals import letter_approve
from escalation.models import Escalation, EscalationStage, Letter, ResolutionKind
from escalation.recipients import letters_account_create
from escalation.resolutions import escalation_2_resolution_record
from escalation.rules import LONDON
from escalation.services import Outcome, escalation_response_record, head_of_service_outcome_record
from escalation.sweep import sweep_run
from escalation.wording import WordingError, for_kind, wording_version_create
from escalation.wording.placeholders import EMAILS, PLACEHOLDERS
from tests.factories import (
    CaseFactory,
    IcbFactory,
    LocalAuthorityFactory,
    ProviderFactory,
    TeamFactory,
    UserFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db

CHILD = SimpleNamespace(
    first_name="Siobhán",
    last_name="O'Neill",
    date_of_birth=D(2017, 6, 23),
    nhs_number="9434765919",
    address="14 Ferryman's Walk\nSaltmarsh Quay",
    postcode="SM4 7QT",
)
TEAM_NAMES = [
    "Kestrel Lane Speech Team",
    "Heron Quay Therapy Team",
    "Lantern Row Paediatric Team",
    "Marram Dunes Orthoptics Team",
]


def at(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def on(day, hour=10):
    return time_machine.travel(at(day, hour), tick=False)


def sweep(day, hour=7):
    with on(day, hour):
        sweep_run(now=at(day, hour))
    deliver()


SENT = []


def deliver():
    """Send what is waiting, as the workers would after each commit: (row, message) for each email."""
    for email in OutboundEmail.objects.filter(status=MessageStatus.PENDING).order_by("pk"):
        sent_before = len(mail.outbox)
        assert outbox.email_send(email_id=email.pk), f"{email.kind} {email.dedupe_key} was not sent"
        (message,) = mail.outbox[sent_before:]
        SENT.append((email, message))


def forbidden_details():
    """Every form of the child's details an email might carry: names as typed and as HTML escapes them,
    the date of birth in the formats the templates use, the NHS number spaced or not, the address
    lines and postcode, and each team's name."""
    dob = CHILD.date_of_birth
    details = [
        CHILD.first_name,
        CHILD.last_name,
        CHILD.last_name.replace("'", "&#x27;"),
        CHILD.last_name.replace("'", "&#39;"),
        "ONeill",
        f"{dob:%-d %B %Y}",
        f"{dob:%-d %b %Y}",
        f"{dob:%d/%m/%Y}",
        dob.isoformat(),
        CHILD.nhs_number,
        f"{CHILD.nhs_number[:3]} {CHILD.nhs_number[3:6]} {CHILD.nhs_number[6:]}",
        CHILD.postcode,
        *CHILD.address.splitlines(),
        "Ferryman",
        *TEAM_NAMES,
        *(name.replace("'", "&#x27;") for name in TEAM_NAMES),
    ]
    return details


def found_in(text, details):
    folded = text.casefold()
    return [detail for detail in details if detail.casefold() in folded]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def secure(address, la_settings):
    return address.rsplit("@", 1)[-1].lower() in la_settings.secure_domains()


def build_world():
    icb = IcbFactory(name="Saltmarsh and Downs ICB", short_name="ICB-SD")
    la = LocalAuthorityFactory(name="Saltmarsh Council", short_name="LA-Salt", icb=icb)
    provider = ProviderFactory(
        name="Downs Children's Health Alliance",
        short_name="DCHA",
        spoc_email="spoc@downs-health.example",
        director_email="director@downs-health.example",
    )
    provider.served_las.add(la)
    slt, ot, paeds = (
        TeamFactory(provider=provider, name=name, service=service, head_of_service_email=f"hos{n}@downs-health.example")
        for n, (name, service) in enumerate(
            zip(TEAM_NAMES[:3], [Service.SLT, Service.OT, Service.COMMUNITY_PAEDIATRICS], strict=True)
        )
    )
    # A second provider, for the letter that waits for the AD Education's approval.
    eyes = ProviderFactory(
        name="Estuary Eye Service",
        short_name="EES",
        spoc_email="spoc@estuary-eyes.example",
        director_email="Director@Estuary-Eyes.example",
    )
    eyes.served_las.add(la)
    orthoptics = TeamFactory(provider=eyes, name=TEAM_NAMES[3], service=Service.ORTHOPTICS)
    world = SimpleNamespace(
        eyes=eyes,
        orthoptics=orthoptics,
        eyes_practitioner=UserFactory(
            username="orthoptist-salt", organisation=eyes, roles=[Role.PRACTITIONER], teams=[orthoptics]
        ),
        icb=icb,
        la=la,
        provider=provider,
        slt=slt,
        ot=ot,
        paeds=paeds,
        case_officer=UserFactory(username="officer-salt", organisation=la, roles=[Role.CASE_OFFICER]),
        business_support=UserFactory(username="support-salt", organisation=la, roles=[Role.BUSINESS_SUPPORT]),
        ad=UserFactory(username="ad-salt", organisation=la, roles=[Role.AD_EDUCATION]),
        spoc=UserFactory(username="spoc-salt", organisation=provider, roles=[Role.SPOC]),
        practitioner=UserFactory(
            username="slt-salt", organisation=provider, roles=[Role.PRACTITIONER], teams=[slt, ot, paeds]
        ),
        head_of_service=UserFactory(
            username="hos-salt", organisation=provider, roles=[Role.HEAD_OF_SERVICE], teams=[slt, ot, paeds]
        ),
        dco=UserFactory(username="dco-salt", organisation=icb, roles=[Role.DCO]),
    )
    world.case = CaseFactory(
        local_authority=la,
        case_officer=world.case_officer,
        status=CaseStatus.ASSESSING,
        decided_to_assess=True,
        received_on=D(2026, 10, 1),
        decision_on=D(2026, 11, 2),
        setting="Saltmarsh Quay Primary",
        **{key: value for key, value in vars(CHILD).items()},
    )
    return world


CONTENT = {"description_of_needs": "N", "provision_required": "P", "outcomes": "O"}


def walk_the_loop(world):
    """Siobhán's request from notification to the draft plan, each step on its date (escalation.rules):
    notified Friday 20 November 2026, due Friday 1 January 2027 (a bank holiday)."""
    case = world.case
    with on(D(2026, 11, 20)):
        request = advice_request_send(
            case=case,
            provider=world.provider,
            services_named=[Service.SLT, Service.OT, Service.COMMUNITY_PAEDIATRICS],
            user=world.case_officer,
        )
    deliver()
    with on(D(2026, 11, 27)):
        eyes = advice_request_send(
            case=case, provider=world.eyes, services_named=[Service.ORTHOPTICS], user=world.case_officer
        )
    deliver()
    items = {item.team_id: item for item in request.items.all()}
    with on(D(2026, 11, 24)):
        advice_acknowledge(
            advice_request=request,
            user=world.spoc,
            answers=[
                TeamAnswer(team=world.slt, known_status=KnownStatus.KNOWN_OPEN),
                TeamAnswer(team=world.ot, known_status=KnownStatus.NOT_KNOWN),
                TeamAnswer(team=world.paeds, known_status=KnownStatus.WAITING_LIST),
            ],
        )
    deliver()
    with on(D(2026, 11, 25)):
        # The case discussion (decision 0046): a message full of the child's details, mentioning the
        # practitioner; their email carries the reference and a link only.
        discussion_message_post(
            case=case,
            user=world.case_officer,
            text=f"@{world.practitioner.username} can you see {CHILD.first_name} {CHILD.last_name} at "
            f"{case.child.setting} before {case.child.date_of_birth:%-d %B}?",
        )
    deliver()
    with on(D(2026, 12, 14)):
        advice_return(item=items[world.ot.pk], user=world.practitioner, returned_on=D(2026, 12, 14), content=CONTENT)
    deliver()
    with on(D(2026, 12, 15)):
        # The case officer sends it back (decision 0049) with a note naming the child: the team's email
        # carries the reference, the new due date and a link only.
        advice_send_back(
            item=items[world.ot.pk],
            user=world.case_officer,
            reasons=[SendBackReason.PROVISION],
            note=f"Say how often {CHILD.first_name} {CHILD.last_name} needs the programme at {case.child.setting}",
        )
    deliver()
    with on(D(2026, 12, 21)):
        advice_return(item=items[world.ot.pk], user=world.practitioner, returned_on=D(2026, 12, 21), content=CONTENT)
    deliver()
    sweep(D(2027, 1, 4))  # chase
    sweep(D(2027, 1, 15))  # escalation 1, response due Wednesday 20 January
    sweep(D(2027, 1, 21))  # no response recorded by the DCO office
    # From here the LA's letters wait for the AD Education: the eye service's escalation 1 (Friday 22
    # January) waits over the weekend and Monday, and business support is told on Tuesday.
    LocalAuthoritySettings.objects.filter(local_authority=world.la).update(letters_need_ad_approval=True)
    sweep(D(2027, 1, 22))
    sweep(D(2027, 1, 26))
    waiting = Letter.objects.get(escalation__request=eyes)
    with on(D(2027, 1, 26), hour=11):
        letter_approve(letter=waiting, user=world.ad)
    deliver()
    first = Letter.objects.get(escalation__request=request)
    with on(D(2027, 1, 27)):
        letters_account_create(letter=first, user=world.business_support)
        # A practitioner of the speech team invited by the provider's administrator: no case at all.
        invitation_send(
            user=UserFactory(
                username="invited-practitioner",
                email="new.practitioner@downs-health.example",
                organisation=world.provider,
                roles=[Role.PRACTITIONER],
                teams=[world.slt],
            ),
            context={"organisation_name": world.provider.name},
        )
    deliver()
    escalation = Escalation.objects.get(request=request, stage=EscalationStage.ESCALATION_1)
    with on(D(2027, 1, 22)):
        escalation_response_record(escalation=escalation, user=world.dco, response="Working with the teams")
        escalation_2_resolution_record(
            item=items[world.paeds.pk],
            user=world.dco,
            kind=ResolutionKind.AGREED_DATE,
            agreed_date=D(2027, 2, 3),
            reason="Clinic booked",
        )
    deliver()
    sweep(D(2027, 1, 29))  # escalation 2 for the speech team, heads of service to answer by 12 February
    sweep(D(2027, 2, 4))  # the date agreed for paediatrics passed
    sweep(D(2027, 2, 15), hour=10)  # heads of service silent; Monday: both weekly digests
    with on(D(2027, 2, 16)):
        head_of_service_outcome_record(
            item=items[world.slt.pk],
            user=world.head_of_service,
            outcome=Outcome.PROMISED,
            promised_on=D(2027, 2, 26),
            delay_reason=DelayReason.CAPACITY,
        )
    deliver()
    with on(D(2027, 3, 1)):
        for team in (world.slt, world.paeds):
            advice_return(item=items[team.pk], user=world.practitioner, returned_on=D(2027, 3, 1), content=CONTENT)
        # The eye service's team lead signs off its advice (decision 0036): sent back once, with a note
        # naming the child that must stay out of the practitioner's email, then signed off.
        eyes_item = eyes.items.get()
        world.orthoptics.returns_need_sign_off = True
        world.orthoptics.save()
        lead = UserFactory(
            username="lead-eyes-salt", organisation=world.eyes, roles=[Role.PRACTITIONER], teams=[world.orthoptics]
        )
        world.orthoptics.leads.add(lead)
        for attempt in range(2):
            return_send_for_sign_off(
                item=eyes_item, user=world.eyes_practitioner, content=CONTENT, returned_on=D(2027, 3, 1)
            )
            if not attempt:
                return_send_back(item=eyes_item, user=lead, note=f"Say how {CHILD.first_name} manages at school")
        return_sign_off(item=eyes_item, user=lead)
        draft_plan_record(case=case, user=world.case_officer, sent_on=D(2027, 3, 1), section_c="C", section_g="G")
    deliver()
    return request


def leaks(world, la_settings, details) -> tuple[list[str], set]:
    """What each email sent so far carries of the child's details, and the kinds sent."""
    failures, kinds = [], set()
    assert not OutboundEmail.objects.exclude(status=MessageStatus.SENT).exists()
    for email, message in SENT:
        kinds.add(email.kind)
        where = f"{email.kind} ({email.dedupe_key}) to {message.to + message.cc}"
        html = "".join(content for content, mimetype in message.alternatives if mimetype == "text/html")
        for part, text in (("subject", message.subject), ("text", message.body), ("HTML", html)):
            if leaked := found_in(text, details):
                failures.append(f"{where}: {part} carries {leaked}")
        # Every email about the case carries its reference; an invitation is about no case.
        if email.kind != MessageKind.INVITATION:
            assert world.case.reference in message.subject + message.body, where
        assert re.search(r"https?://\S+/", message.body), f"{where}: no link"
        for name, content, _mimetype in message.attachments:
            if leaked := found_in(name, details):
                failures.append(f"{where}: attachment name carries {leaked}")
            letter_text = pdf_text(content)
            if all(secure(address, la_settings) for address in message.to + message.cc):
                # A secure domain is the one channel a letter, child's name and all, may travel by.
                assert found_in(letter_text, [CHILD.last_name]), f"{where}: the attachment is not the letter"
            elif leaked := found_in(letter_text, details):
                failures.append(f"{where}: attachment to an address outside the secure domains carries {leaked}")
    return failures, kinds


def test_no_email_of_any_kind_carries_the_childs_details_and_letters_go_only_to_secure_domains():
    SENT.clear()
    world = build_world()
    walk_the_loop(world)
    la_settings = LocalAuthoritySettings.for_la(world.la)
    failures, kinds = leaks(world, la_settings, forbidden_details())

    assert not failures, "\n".join(failures)
    # The letters went attached to business support alone, on the LA's own domain; the directors and the
    # DCO office (icb.example is not nhs.net) had a link, each in an email of their own.
    letters = [
        (message.to, bool(message.attachments)) for email, message in SENT if email.kind == MessageKind.ESCALATION_1
    ]
    assert sorted(letters) == sorted(
        [
            (["director@downs-health.example"], False),
            (["dco.office@icb.example"], False),
            (["send.support@la-salt.example"], True),
            (["Director@Estuary-Eyes.example"], False),
            (["dco.office@icb.example"], False),
            (["send.support@la-salt.example"], True),
        ]
    )
    missing = set(MessageKind.values) - kinds
    assert not missing, f"email kinds never sent by this walk, so never checked: {sorted(missing)}"


EDITED = "Edited by Saltmarsh Council."


def every_placeholder(kind) -> str:
    """A text for `kind` using every placeholder it may, the blocks each on a line of its own."""
    inline = " ".join(f"{{{{ {p.name} }}}}" for p in for_kind(kind) if not p.block)
    blocks = "\n\n".join(f"{{{{ {p.name} }}}}" for p in for_kind(kind) if p.block)
    return f"{EDITED} {inline}\n\n{blocks}".strip()


def test_edited_wording_using_every_placeholder_an_email_may_carries_no_health_details():
    """The LA's own wording of each email, with every placeholder it is allowed, sent through the whole
    loop: still no detail of the child or the teams; and the placeholders that would carry one are
    refused for an email."""
    SENT.clear()
    world = build_world()
    for kind in EMAILS:
        for placeholder in PLACEHOLDERS:
            if placeholder.health_detail:
                with pytest.raises(WordingError, match="emails carry no health details"):
                    wording_version_create(la=world.la, kind=kind, text=f"{{{{ {placeholder.name} }}}}", user=world.ad)
        wording_version_create(la=world.la, kind=kind, text=every_placeholder(kind), user=world.ad)
    walk_the_loop(world)
    failures, kinds = leaks(world, LocalAuthoritySettings.for_la(world.la), forbidden_details())
    assert not failures, "\n".join(failures)
    edited = {email.kind for email, message in SENT if EDITED in message.body}
    assert edited == {MessageKind.CHASE, MessageKind.ESCALATION_2, MessageKind.DIGEST_LA}
