"""A seeded sample caseload file for the import's tests and browser journey: invented children (NHS
numbers in the NHS's 999 test range, with their real check digits), requests received over the last
months, and each team's advice at the stage the council's own rules would have it, with some late
items left short of a stage they are past (what the import lists as acted on at the next run)."""

import csv
import datetime
import io
import random

from administration.caseload_import.columns import NAMES
from escalation.rules import TimerRules

FIRST = ["Ada", "Bea", "Cai", "Dev", "Esme", "Finn", "Gus", "Hana", "Iris", "Jem", "Kit", "Lior", "Mo", "Nia"]
LAST = ["Abbot", "Brook", "Carrow", "Dunmore", "Ellery", "Fenwick", "Garth", "Holm", "Ives", "Jory", "Kestle"]


def nhs_number(number: int, seed: int) -> str:
    """A distinct test-range NHS number per child (7919 is prime to 10^6), or none where the digits
    would need the check digit 10, which no NHS number has."""
    digits = [9, 9, 9] + [int(d) for d in f"{(number * 7919 + seed * 13) % 1_000_000:06d}"]
    check = (11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11) % 11
    return "" if check == 10 else "".join(map(str, digits + [check]))


def sample_rows(world, *, today: datetime.date, cases=200, seed=17, prefix="HC") -> list[dict]:
    rng = random.Random(seed)
    rules = TimerRules.for_la(world.la)
    teams = [world.slt, world.ot, world.paeds]
    rows = []
    for number in range(1, cases + 1):
        received = today - datetime.timedelta(days=rng.randrange(60, 200))
        requested = received + datetime.timedelta(days=rng.randrange(0, 14))
        born = received - datetime.timedelta(days=rng.randrange(3 * 365, 17 * 365))
        child = {
            "case_reference": f"{prefix}-{number:05d}",
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "date_of_birth": f"{born:%d/%m/%Y}",
            "nhs_number": nhs_number(number, seed),
            "upn": "",
            "uln": "",
            "child_la_id": f"C{number:06d}",
            "requested_by": rng.choice(["parent", "young person", "setting"]),
            "received_on": f"{received:%d/%m/%Y}",
            "decision_on": f"{received + datetime.timedelta(days=35):%d/%m/%Y}" if number % 3 else "",
            "provider": world.provider.name,
        }
        due = requested + datetime.timedelta(days=rules.settings.advice_period_days)
        for team in rng.sample(teams, rng.randrange(1, 4)):
            row = child | {"team": team.name, "advice_requested_on": f"{requested:%d/%m/%Y}"}
            row |= dict.fromkeys(("advice_returned_on", "chased_on", "escalation_1_on", "escalation_2_on"), "")
            stages = {
                "chased_on": rules.chase_on(due),
                "escalation_1_on": rules.escalation_1_on(due),
            }
            stages["escalation_2_on"] = rules.escalation_2_on(stages["escalation_1_on"])
            # Most late items reached each stage the rules gave them; about one in seven stopped short.
            short = rng.random() < 0.15
            for name, on in stages.items():
                if on <= today and not short:
                    row[name] = f"{on:%d/%m/%Y}"
            if rng.random() < 0.25 and due - datetime.timedelta(days=5) <= today:
                returned = min(today, due + datetime.timedelta(days=rng.randrange(-5, 10)))
                reached = [datetime.datetime.strptime(row[n], "%d/%m/%Y").date() for n in stages if row[n]]
                returned = max([returned, requested, *reached])
                row["advice_returned_on"] = f"{returned:%d/%m/%Y}"
            rows.append(row)
    return rows


def broken(rows, count=5):
    """The rows with `count` of them wrong in one cell each, and which (row number, column label) each is."""
    rows = [dict(row) for row in rows]
    faults = [
        ("nhs_number", "9990000000", "NHS number"),
        ("date_of_birth", "31/02/2015", "Date of birth"),
        ("team", "Hydrotherapy", "Team"),
        ("requested_by", "grandparent", "Requested by"),
        ("advice_requested_on", "not a date", "Advice requested"),
    ]
    wrong = []
    # One request's rows must agree on the child: break single-row requests only.
    singles = [i for i, row in enumerate(rows) if sum(r["case_reference"] == row["case_reference"] for r in rows) == 1]
    for index, (column, value, label) in zip(singles[3 : 3 + count * 7 : 7], faults[:count], strict=False):
        rows[index][column] = value
        wrong.append((index + 2, label))
    return rows, wrong


def as_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(NAMES), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(NAMES))
    for row in rows:
        sheet.append([row[name] for name in NAMES])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
