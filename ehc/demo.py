"""Demo data: one council, one health provider, one ICB, a user for every role, and about a
year of cases shaped like Torbay's (about 230 requests over 12 months, about 180 known to
services). Invented people on .example domains only. Deterministic and idempotent."""

import base64
import datetime
import hashlib
import random

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import LocalAuthoritySettings, Organisation, OrganisationKind, Role, Service, Team, User

DEMO_PASSWORD = "demo-password-2026"
DEMO_MARKER_LA = "Harbourside Council"

ICB_NAME = "Coast and Moor Integrated Care Board"
PROVIDER_NAME = "Bayview Children's Health Alliance"

TEAMS = [
    ("Speech and language therapy", Service.SLT, 30),
    ("Occupational therapy", Service.OT, 16),
    ("Physiotherapy", Service.PHYSIOTHERAPY, 8),
    ("Community paediatrics", Service.COMMUNITY_PAEDIATRICS, 22),
    ("CAMHS", Service.CAMHS, 10),
    ("Specialist nursing", Service.SPECIALIST_NURSING, 6),
    ("Public health nursing", Service.PUBLIC_HEALTH_NURSING, 14),
    ("Orthoptics", Service.ORTHOPTICS, 5),
    ("Continuing care", Service.CONTINUING_CARE, 3),
]

# username, first, last, organisation key, roles, team names, job title
DEMO_USERS = [
    ("case.officer", "Priya", "Lindqvist", "la", [Role.CASE_OFFICER], [], "SEND case officer"),
    ("case.officer2", "Tomasz", "Wren", "la", [Role.CASE_OFFICER], [], "SEND case officer"),
    ("business.support", "Nell", "Okafor", "la", [Role.BUSINESS_SUPPORT], [], "SEND business support"),
    ("ad.education", "Morgan", "Ellery", "la", [Role.AD_EDUCATION], [], "Assistant Director of Education"),
    ("send.manager", "Rhian", "Castellan", "la", [Role.SEND_MANAGER], [], "SEND manager"),
    ("spoc", "Jesse", "Marlow", "provider", [Role.SPOC], [], "Health single point of contact"),
    (
        "slt.practitioner",
        "Ravi",
        "Pennock",
        "provider",
        [Role.PRACTITIONER],
        ["Speech and language therapy"],
        "Speech and language therapist",
    ),
    (
        "ot.practitioner",
        "Hana",
        "Brightwell",
        "provider",
        [Role.PRACTITIONER],
        ["Occupational therapy"],
        "Occupational therapist",
    ),
    (
        "paeds.practitioner",
        "Idris",
        "Calloway",
        "provider",
        [Role.PRACTITIONER],
        ["Community paediatrics"],
        "Community paediatrician",
    ),
    (
        "head.of.service",
        "Sam",
        "Holloway",
        "provider",
        [Role.HEAD_OF_SERVICE],
        [
            "Speech and language therapy",
            "Occupational therapy",
            "Physiotherapy",
            "Specialist nursing",
            "Public health nursing",
            "Orthoptics",
            "Continuing care",
            "Community paediatrics",
        ],
        "Head of Integrated Nursing and Therapies",
    ),
    ("head.of.camhs", "Alexis", "Moreau", "provider", [Role.HEAD_OF_SERVICE], ["CAMHS"], "Head of CAMHS"),
    ("dco", "Dana", "Whitcombe", "icb", [Role.DCO], [], "Designated Clinical Officer"),
    # The provider's director, with a letters-only account: the letters sent to their address.
    ("alliance.director", "Robin", "Carrow", "provider", [Role.LETTERS_ONLY], [], "Alliance Director"),
    ("admin", "Ash", "Kerrigan", "la", [Role.ADMINISTRATOR], [], "Service administrator"),
    # The platform's operator: no organisation, no role; the only kind of account the Django admin
    # admits (ehc.admin_site). An organisation's administrator manages its people and settings.
    ("platform.admin", "Quinn", "Ravensworth", None, [], [], "Platform operator"),
]
PLATFORM_OPERATORS = {"platform.admin"}

FIRST_NAMES = [
    "Alfie",
    "Amara",
    "Archie",
    "Aria",
    "Bea",
    "Caleb",
    "Chloe",
    "Dylan",
    "Ebony",
    "Elliot",
    "Erin",
    "Ezra",
    "Freya",
    "Gabriel",
    "Harper",
    "Isaac",
    "Isla",
    "Jacob",
    "Kai",
    "Layla",
    "Leo",
    "Lily",
    "Logan",
    "Maya",
    "Mason",
    "Nia",
    "Noah",
    "Olive",
    "Oscar",
    "Poppy",
    "Reuben",
    "Rosa",
    "Rowan",
    "Sienna",
    "Theo",
    "Zara",
]
LAST_NAMES = [
    "Ashdown",
    "Barrowby",
    "Calder",
    "Dunmore",
    "Elsworth",
    "Fenwick",
    "Garside",
    "Hartigan",
    "Ingleby",
    "Jarrow",
    "Kettering",
    "Larkspur",
    "Merriweather",
    "Norbury",
    "Oakhurst",
    "Pemberton",
    "Quarrie",
    "Rushmere",
    "Saltram",
    "Thistlewood",
    "Underhill",
    "Varley",
    "Westacott",
    "Yardley",
]
SETTINGS = [
    "Harbourside Primary School",
    "St Ives Road Infant School",
    "Quayside Academy",
    "Little Anchors Nursery",
    "Cliff Top Community College",
    "Moorview Primary School",
    "Home educated",
]


def totp_key_for(username: str) -> str:
    """A fixed demo TOTP key per user (hex), so the README can tell people how to get codes."""
    return hashlib.sha256(f"ehc-demo-totp:{username}".encode()).hexdigest()[:40]


def totp_key_base32(username: str) -> str:
    return base64.b32encode(bytes.fromhex(totp_key_for(username))).decode()


@transaction.atomic
def seed_organisations():
    icb, _ = Organisation.objects.get_or_create(
        name=ICB_NAME, defaults={"kind": OrganisationKind.ICB, "short_name": "Coast and Moor ICB"}
    )
    la, _ = Organisation.objects.get_or_create(
        name=DEMO_MARKER_LA,
        defaults={
            "kind": OrganisationKind.LOCAL_AUTHORITY,
            "short_name": "Harbourside",
            "icb": icb,
            "address": "SEND Team\nHarbourside Town Hall\nCastle Circus\nHarbourside\nHS1 3DR",
            "telephone": "01632 960 000",
            "website": "www.harbourside.example",
        },
    )
    LocalAuthoritySettings.objects.get_or_create(
        local_authority=la,
        defaults={
            "ad_education_name": "Morgan Ellery",
            "ad_education_email": "ad.education@harbourside.example",
            "business_support_email": "ehcp@harbourside.example",
            "dco_office_email": "dco.office@coastandmoor-icb.example",
            "letter_footer": "Harbourside Council, Town Hall, Castle Circus, Harbourside HS1 3DR",
        },
    )
    provider, _ = Organisation.objects.get_or_create(
        name=PROVIDER_NAME,
        defaults={
            "kind": OrganisationKind.HEALTH_PROVIDER,
            "short_name": "Bayview Alliance",
            "spoc_email": "send.spoc@bayview-health.example",
            "director_name": "Robin Carrow",
            "director_title": "Alliance Director",
            "director_email": "alliance.director@bayview-health.example",
            "address": "Bayview Health Centre\nNewton Road\nHarbourside\nHS2 7QA",
        },
    )
    provider.served_las.add(la)
    teams = {}
    for name, service, _weight in TEAMS:
        head = "Alexis Moreau" if service == Service.CAMHS else "Sam Holloway"
        head_title = "Head of CAMHS" if service == Service.CAMHS else "Head of Integrated Nursing and Therapies"
        head_mailbox = "head.camhs" if service == Service.CAMHS else "head.int"
        team, _ = Team.objects.get_or_create(
            provider=provider,
            name=name,
            defaults={
                "service": service,
                "email": f"{service}.team@bayview-health.example",
                "head_of_service_name": head,
                "head_of_service_title": head_title,
                "head_of_service_email": f"{head_mailbox}@bayview-health.example",
            },
        )
        teams[name] = team
    return icb, la, provider, teams


@transaction.atomic
def seed_users(orgs, teams):
    icb, la, provider = orgs
    by_key = {"icb": icb, "la": la, "provider": provider, None: None}
    users = {}
    for username, first, last, org_key, roles, team_names, title in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
        user.first_name, user.last_name = first, last
        domain = {"la": "harbourside", None: "platform"}.get(org_key, org_key)
        user.email = f"{username}@{domain}.example"
        if Role.LETTERS_ONLY in roles:
            user.email = by_key[org_key].director_email  # matched against the letters' address
        user.organisation = by_key[org_key]
        user.roles = list(roles)
        user.job_title = title
        user.is_active = True
        # Staff and superuser go together: only the platform's operator reaches the Django admin.
        user.is_staff = user.is_superuser = username in PLATFORM_OPERATORS
        user.save()
        user.teams.set([teams[name] for name in team_names])
        TOTPDevice.objects.get_or_create(
            user=user, name="Demo authenticator", defaults={"key": totp_key_for(username), "confirmed": True}
        )
        users[username] = user
    return users


def pick_weighted(rng, options):
    total = sum(weight for _, _, weight in options)
    point = rng.uniform(0, total)
    for name, _service, weight in options:
        point -= weight
        if point <= 0:
            return name
    return options[-1][0]


def _case_dates(rng, received, today):
    """Plan one case's statutory history. Dates after `today` are left for the future."""
    plan = {"received": received}
    decision = received + datetime.timedelta(days=rng.randint(25, 50))
    if decision > today:
        return plan
    plan["decision"] = decision
    plan["assess"] = rng.random() > 0.17
    return plan


def seed_cases(*, la, provider, teams, users, today, rng, months=12):
    """Create cases, requests for health advice and items; return the returns to replay by date."""
    from advice.models import AdviceItem, AdviceRequest, KnownStatus
    from assessments.models import Case, CaseStatus, ExceptionReason, Requester, TimelineException

    officers = [users["case.officer"], users["case.officer2"]]
    team_list = [(name, svc, weight) for name, svc, weight in TEAMS]
    start = today - datetime.timedelta(days=months * 30 + 45)
    events = []  # (date, kind, item_id, payload)
    case_plans = []
    day = start
    serial = 0
    while day <= today - datetime.timedelta(days=3):
        # About 280 requests for assessment a year, so that ~230 reach a request for health advice.
        for _ in range(rng.choices([0, 1, 2], weights=[0.2, 0.55, 0.25])[0]):
            if day.weekday() >= 5:
                continue
            serial += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            age_years = rng.randint(2, 17)
            born = day - datetime.timedelta(days=age_years * 365 + rng.randint(0, 364))
            case = Case(
                local_authority=la,
                case_officer=officers[serial % 2],
                first_name=first,
                last_name=last,
                date_of_birth=born,
                address=f"{rng.randint(1, 120)} {rng.choice(['Quay', 'Harbour', 'Cliff', 'Moor', 'Station'])} "
                f"{rng.choice(['Road', 'Lane', 'Street', 'Close'])}\nHarbourside",
                postcode=f"HS{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                setting=rng.choice(SETTINGS),
                requested_by=rng.choices(
                    [Requester.PARENT, Requester.SETTING, Requester.YOUNG_PERSON], weights=[0.55, 0.4, 0.05]
                )[0],
                received_on=day,
                family_views=f"{first}'s family want the people who know {first} best to describe what helps.",
                aspirations=f"{first} would like to make friends and enjoy learning.",
                outcomes_health=f"{first} manages daily routines with less support.",
                outcomes_community_inclusion=f"{first} joins a club outside school.",
            )
            case.save()
            case.reference = f"EHC-{day:%Y}-{case.pk:05d}"
            case.save(update_fields=["reference"])
            case_plans.append((case, _case_dates(rng, day, today)))
        day += datetime.timedelta(days=1)

    for case, plan in case_plans:
        if "decision" not in plan:
            continue
        case.decision_on = plan["decision"]
        case.decided_to_assess = plan["assess"]
        if not plan["assess"]:
            case.status = CaseStatus.NOT_ASSESSING
            case.closed_on = plan["decision"]
            case.save()
            continue
        case.status = CaseStatus.ASSESSING
        case.save()
        notified = plan["decision"] + datetime.timedelta(days=rng.randint(0, 3))
        if notified > today:
            notified = today
        la_settings = LocalAuthoritySettings.for_la(la)
        due = notified + datetime.timedelta(days=la_settings.advice_period_days)
        chosen = []
        for _ in range(rng.choices([1, 2, 3], weights=[0.45, 0.4, 0.15])[0]):
            name = pick_weighted(rng, team_list)
            if name not in chosen:
                chosen.append(name)
        acknowledged = notified + datetime.timedelta(days=rng.randint(1, 9))
        request = AdviceRequest.objects.create(
            case=case,
            provider=provider,
            local_authority=la,
            services_named=[teams[name].service for name in chosen],
            message="Please send your advice using the Appendix C headings.",
            notified_on=notified,
            due_on=due,
            requested_by=case.case_officer,
            acknowledged_at=_at(acknowledged) if acknowledged <= today else None,
            acknowledged_by=users["spoc"] if acknowledged <= today else None,
        )
        # About 180 of 230 requests concern a child already known to a responding team.
        known_request = rng.random() < 0.85
        last_return = None
        all_resolved = True
        for index, name in enumerate(chosen):
            if acknowledged > today:
                known = KnownStatus.UNCONFIRMED
            elif known_request and index == 0:
                known = rng.choice([KnownStatus.KNOWN_OPEN, KnownStatus.KNOWN_OPEN, KnownStatus.KNOWN_CLOSED])
            else:
                known = rng.choice([KnownStatus.NOT_KNOWN, KnownStatus.WAITING_LIST, KnownStatus.NOT_KNOWN])
            item = AdviceItem.objects.create(
                request=request,
                team=teams[name],
                provider=provider,
                local_authority=la,
                case=case,
                due_on=due,
                known_status=known,
                named_by_family=True,
                next_action_on=due,
            )
            fate = rng.random()
            if fate < 0.62:
                returned = due - datetime.timedelta(days=rng.randint(0, 20))
            elif fate < 0.80:
                returned = due + datetime.timedelta(days=rng.randint(2, 13))
            elif fate < 0.90:
                returned = due + datetime.timedelta(days=rng.randint(16, 30))
            elif fate < 0.94:
                returned = due + datetime.timedelta(days=rng.randint(31, 60))
            elif fate < 0.97:
                decided = due + datetime.timedelta(days=rng.randint(10, 40))
                events.append((decided, "not_provided", item.pk, None))
                last_return = max(last_return or decided, decided)
                continue
            else:
                all_resolved = False  # never returned: stays outstanding and climbs the stages
                continue
            returned = max(returned, notified + datetime.timedelta(days=5))
            events.append((returned, "return", item.pk, None))
            last_return = max(last_return or returned, returned)
        case_plan_outcome(case, plan, last_return if all_resolved else None, today, rng, events)
        if rng.random() < 0.05:
            TimelineException.objects.create(
                case=case,
                reason=rng.choice(list(ExceptionReason)),
                detail="The family were away from the area for five weeks.",
                agreed_by="Head of SEND",
                starts_on=notified + datetime.timedelta(days=10),
                recorded_by=case.case_officer,
            )
    events.sort(key=lambda event: (event[0], event[2]))
    return events


def case_plan_outcome(case, plan, last_return, today, rng, events):
    """Queue the draft and final plan after the last advice comes back (if that is in the past)."""
    roll = rng.random()
    if roll < 0.03:
        events.append(
            (plan["decision"] + datetime.timedelta(days=rng.randint(10, 40)), "withdraw", case.pk, None)
        )
        return
    if roll < 0.07:
        events.append(
            (plan["decision"] + datetime.timedelta(days=rng.randint(30, 60)), "not_issuing", case.pk, None)
        )
        return
    if last_return is None:
        return
    draft = last_return + datetime.timedelta(days=rng.randint(5, 25))
    events.append((draft, "draft", case.pk, None))
    events.append((draft + datetime.timedelta(days=rng.randint(16, 35)), "final", case.pk, None))


def _at(day, hour=10):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


NOT_PROVIDED_DETAILS = [
    (
        "not_required",
        "The child is not known to the team and has no needs in this area; Appendix C not required.",
    ),
    ("dna", "Two appointments were offered and not attended."),
    ("no_consent", "The family did not give consent for an assessment."),
]


def replay(*, events, start, today, users, sweep=None):
    """Apply the planned returns and outcomes day by day, running the real sweep each morning,
    so chases, escalations and letters in the demo come from the product's own rules."""
    from advice.models import AdviceItem, AdviceReturn, ItemStatus
    from assessments.models import Case, CaseStatus, DraftPlan

    by_day = {}
    for when, kind, object_id, payload in events:
        if when <= today:
            by_day.setdefault(when, []).append((kind, object_id, payload))
    practitioners = [
        users["slt.practitioner"],
        users["ot.practitioner"],
        users["paeds.practitioner"],
        users["spoc"],
    ]
    day = start
    while day <= today:
        if sweep is not None:
            sweep(now=_at(day, 9))
            _answer_escalations(day=day, users=users)
        for kind, object_id, _payload in by_day.get(day, []):
            if kind == "return":
                item = AdviceItem.objects.select_related("case").get(pk=object_id)
                if item.status != ItemStatus.OUTSTANDING:
                    continue
                who = practitioners[object_id % len(practitioners)]
                AdviceReturn.objects.create(
                    item=item,
                    description_of_needs=f"{item.case.first_name} has needs in this area that affect learning.",
                    provision_required="Weekly 30-minute sessions with a therapy assistant, reviewed each term.",
                    outcomes="More independent at school by the end of the year.",
                    how_often_seen="Seen six times",
                    seen_over_period="Over the last 12 months",
                    returned_by=who,
                )
                AdviceItem.objects.filter(pk=item.pk).update(
                    status=ItemStatus.RETURNED,
                    returned_on=day,
                    returned_by=who,
                    next_action_on=None,
                    closed_on=day,
                )
            elif kind == "not_provided":
                reason, detail = NOT_PROVIDED_DETAILS[object_id % len(NOT_PROVIDED_DETAILS)]
                AdviceItem.objects.filter(pk=object_id, status=ItemStatus.OUTSTANDING).update(
                    status=ItemStatus.NOT_PROVIDED,
                    not_provided_reason=reason,
                    not_provided_detail=detail,
                    not_provided_decided_by="Sam Holloway, Head of Integrated Nursing and Therapies",
                    next_action_on=None,
                    closed_on=day,
                )
            elif kind in {"withdraw", "not_issuing", "draft", "final"}:
                case = Case.objects.get(pk=object_id)
                if case.is_closed:
                    continue
                if kind == "withdraw":
                    case.status, case.closed_on = CaseStatus.WITHDRAWN, day
                    case.closed_reason = "The family withdrew the request."
                    AdviceItem.objects.filter(case=case, status=ItemStatus.OUTSTANDING).update(
                        status=ItemStatus.CANCELLED, next_action_on=None, closed_on=day
                    )
                elif kind == "not_issuing":
                    if AdviceItem.objects.filter(case=case, status=ItemStatus.OUTSTANDING).exists():
                        continue
                    case.status, case.not_issuing_on, case.closed_on = CaseStatus.NOT_ISSUING, day, day
                    case.closed_reason = "Needs can be met from the resources of the school."
                elif kind == "draft":
                    case.status, case.draft_plan_sent_on = CaseStatus.DRAFT_PLAN, day
                    DraftPlan.objects.get_or_create(
                        case=case,
                        defaults={
                            "sent_on": day,
                            "section_c": "Health needs as described in the returned advice.",
                            "section_g": "Provision as recommended by the health teams.",
                            "recorded_by": case.case_officer,
                        },
                    )
                elif kind == "final":
                    if case.status != CaseStatus.DRAFT_PLAN:
                        continue
                    case.status, case.final_plan_issued_on, case.closed_on = CaseStatus.PLAN_ISSUED, day, day
                case.save()
        day += datetime.timedelta(days=1)


def _answer_escalations(*, day, users):
    """Most escalations are answered in time, as in a working area; the rest show as owed."""
    from advice.models import AdviceItem, DelayReason, ItemStatus, Stage
    from escalation.models import Escalation, EscalationStage

    two_days_ago = day - datetime.timedelta(days=2)
    for escalation in Escalation.objects.filter(
        stage=EscalationStage.ESCALATION_1, responded_at__isnull=True, issued_on=two_days_ago
    ):
        if escalation.pk % 5:
            Escalation.objects.filter(pk=escalation.pk).update(
                responded_at=_at(day, 15),
                responded_by=users["dco"],
                response="The DCO office has spoken to the team leads; the advice is being finalised this week.",
            )
    _resolve_some_before_escalation_2(day=day, users=users)
    waiting = AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING,
        stage=Stage.ESCALATION_2,
        head_of_service_responded_at__isnull=True,
        escalation_2_on=day - datetime.timedelta(days=5),
    )
    for item in waiting:
        if item.pk % 4:
            AdviceItem.objects.filter(pk=item.pk).update(
                head_of_service_responded_at=_at(day, 11),
                head_of_service_responded_by=users["head.of.service"],
                promised_on=day + datetime.timedelta(days=7 + item.pk % 14),
                delay_reason=DelayReason.CAPACITY if item.pk % 2 else DelayReason.WAITING_LIST,
                delay_detail="Two therapists on long-term leave; the child has an assessment booked.",
            )
            if not AdviceItem.objects.filter(
                request_id=item.request_id,
                status=ItemStatus.OUTSTANDING,
                stage=Stage.ESCALATION_2,
                head_of_service_responded_at__isnull=True,
            ).exists():
                Escalation.objects.filter(
                    request_id=item.request_id, stage=EscalationStage.ESCALATION_2, responded_at__isnull=True
                ).update(responded_at=_at(day, 11), responded_by=users["head.of.service"])


def seed_demo(*, today=None, sweep=None, stdout=None, months=12):
    """Idempotent: organisations and users are brought up to date; cases are made once."""
    from django.utils import timezone

    from assessments.models import Case

    from .models import MessageStatus, OutboundEmail

    today = today or timezone.localdate()
    icb, la, provider, teams = seed_organisations()
    users = seed_users((icb, la, provider), teams)
    if Case.objects.filter(local_authority=la).exists():
        if stdout:
            stdout.write("Demo cases already present: left as they are")
        return False
    rng = random.Random(2026)
    with transaction.atomic():
        events = seed_cases(
            la=la, provider=provider, teams=teams, users=users, today=today, rng=rng, months=months
        )
        start = min((when for when, *_ in events), default=today) - datetime.timedelta(days=60)
        replay(events=events, start=start, today=today, users=users, sweep=sweep)
        # The replayed year's emails belong to the past: record them as sent then rather than
        # flood the demo's mailbox with a year of chases on first start.
        OutboundEmail.objects.filter(status=MessageStatus.PENDING).update(
            status=MessageStatus.SENT, sent_at=timezone.now(), next_attempt_at=None
        )
    if stdout:
        stdout.write(f"Demo data made: {Case.objects.filter(local_authority=la).count()} cases")
    return True


def _resolve_some_before_escalation_2(*, day, users):
    """Now and then the DCO office agrees a date with the team two days before escalation 2 falls due
    (escalation.resolutions): that item's escalation 2 never goes, and the dashboard says so."""
    from advice.models import AdviceItem, ItemStatus, Stage
    from escalation.models import Escalation2Resolution, ResolutionKind

    due_soon = AdviceItem.objects.filter(
        status=ItemStatus.OUTSTANDING,
        stage=Stage.ESCALATION_1,
        next_action_on=day + datetime.timedelta(days=2),
        escalation_2_resolution__isnull=True,
    )
    for item in due_soon:
        if item.pk % 6:
            continue
        agreed = day + datetime.timedelta(days=10 + item.pk % 7)
        Escalation2Resolution.objects.create(
            item=item,
            local_authority_id=item.local_authority_id,
            kind=ResolutionKind.AGREED_DATE,
            agreed_on=agreed,
            reason="Agreed with the team lead: a clinic appointment is booked and the advice follows it.",
            recorded_on=day,
            recorded_by=users["dco"],
        )
        AdviceItem.objects.filter(pk=item.pk).update(
            promised_on=agreed, promise_passed_notified_on=None, next_action_on=None
        )
