"""The demo's structured provision (issue 20): a few of the year's returned SLT, OT and physiotherapy
advice given provision rows and outcomes, some on a waiting list and some not commissioned here, so
that the commissioning report (reports.views_commissioning) has figures and the case officer sees
rows on a return. Deterministic: the same returns and the same rows each time."""

from advice.models import AdviceReturn
from advice.provision import Availability, ProvisionType, provision_types_seed, rows_save
from ehc.models import Service

# (type's position in the LA's default list, quantity, unit, minutes, frequency, profession, staff
# may deliver, duration, unit, availability, wait in weeks) for each service's returns, in turn.
PATTERNS = {
    Service.SLT: [
        (1, 6, "sessions", 45, "half_term", "slt", False, 3, "terms", Availability.WAITING_LIST, 18),
        (2, 3, "sessions", 20, "week", "setting_staff", True, 1, "years", Availability.AVAILABLE, None),
        (1, 1, "sessions", 60, "week", "slt", False, 2, "terms", Availability.NOT_COMMISSIONED, None),
    ],
    Service.OT: [
        (6, 1, "assessments", None, "once", "ot", False, None, "", Availability.WAITING_LIST, 26),
        (12, 1, "items", None, "once", "ot", False, None, "", Availability.AVAILABLE, None),
    ],
    Service.PHYSIOTHERAPY: [
        (8, 2, "sessions", 30, "week", "setting_staff", True, 2, "terms", Availability.NOT_COMMISSIONED, None),
    ],
}
OUTCOME = (
    "health",
    "Uses the agreed strategies in class without prompting",
    "By the end of the school year",
    "Setting staff record it at the termly review",
)


def provision_examples(*, la, count=12):
    provision_types_seed(la)
    types = {row.position: row.pk for row in ProvisionType.objects.filter(local_authority=la)}
    made = 0
    for service, patterns in PATTERNS.items():
        returns = (
            AdviceReturn.objects.filter(item__local_authority=la, item__team__service=service, provision_rows=None)
            .exclude(description_of_needs="")
            .order_by("-item__returned_on", "pk")[:count]
        )
        for index, advice_return in enumerate(returns):
            pattern = patterns[index % len(patterns)]
            (
                position,
                quantity,
                unit,
                minutes,
                frequency,
                profession,
                staff,
                duration,
                duration_unit,
                available,
                wait,
            ) = pattern
            row = {
                "need": "As described in the needs above",
                "provision_type_id": types.get(position),
                "quantity": quantity,
                "unit": unit,
                "session_minutes": minutes,
                "frequency": frequency,
                "profession": profession,
                "setting_staff_may_deliver": staff,
                "duration": duration,
                "duration_unit": duration_unit,
                "availability": available,
                "wait_weeks": wait,
            }
            domain, what, by_when, how = OUTCOME
            rows_save(advice_return, [row], [{"domain": domain, "what": what, "by_when": by_when, "how_we_know": how}])
            made += 1
    return made
