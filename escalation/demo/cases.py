"""The demo's cases and requests for health advice: about a year shaped like Torbay's (about 230
requests over 12 months, about 180 known to services), with each item's fate planned as events for
the replay. Invented children and addresses only; the random generator is seeded."""

import datetime

from django.utils import timezone

from advice.models import AdviceItem, AdviceRequest, KnownStatus
from assessments.models import Case, CaseStatus, Child, ExceptionReason, Requester, TimelineException
from ehc.demo import TEAMS
from ehc.models import LocalAuthoritySettings

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


def demo_nhs_number(rng, used):
    """A number with a valid check digit in the 999 range, which the NHS keeps for testing: no real
    person's. Once each (one child per NHS number in an LA)."""
    while True:
        digits = [9, 9, 9] + [rng.randint(0, 9) for _ in range(6)]
        check = (11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11) % 11
        number = "".join(map(str, digits)) + str(check)
        if check != 10 and number not in used:
            used.add(number)
            return number


def seed_cases(*, la, provider, teams, users, today, rng, months=12):
    """Create cases, requests for health advice and items; return the returns to replay by date."""
    officers = [users["case.officer"], users["case.officer2"]]
    team_list = [(name, svc, weight) for name, svc, weight in TEAMS]
    start = today - datetime.timedelta(days=months * 30 + 45)
    events = []  # (date, kind, item_id, payload)
    case_plans = []
    nhs_numbers = set()
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
            child = Child.objects.create(
                local_authority=la,
                first_name=first,
                last_name=last,
                date_of_birth=born,
                nhs_number=demo_nhs_number(rng, nhs_numbers),
                address=f"{rng.randint(1, 120)} {rng.choice(['Quay', 'Harbour', 'Cliff', 'Moor', 'Station'])} "
                f"{rng.choice(['Road', 'Lane', 'Street', 'Close'])}\nHarbourside",
                postcode=f"HS{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                setting=rng.choice(SETTINGS),
            )
            case = Case(
                local_authority=la,
                case_officer=officers[serial % 2],
                child=child,
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
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
