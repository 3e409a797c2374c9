"""The annual reviews report: its figures on a hand-made set (each share of the reviews that can be
judged), the CSV, and who may open it (an LA's staff and the area's DCO; health never; another LA's
reviews in no figure)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from assessments.models import ReviewDecision
from ehc.models import Role
from reports.selectors.review_timeliness import review_timeliness
from tests.factories import UserFactory
from tests.reviews.helpers import review

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 12, 15)
PERIOD = (datetime.date(2026, 9, 1), datetime.date(2026, 12, 31))
SEP, DEC = datetime.date(2026, 9, 1), datetime.date(2026, 12, 1)
BEFORE = datetime.date(2026, 8, 31)  # due before the period: counted by the meeting's month only


def _period(start=PERIOD[0], end=PERIOD[1], **extra):
    return {
        "start_0": start.day,
        "start_1": start.month,
        "start_2": start.year,
        "end_0": end.day,
        "end_1": end.month,
        "end_2": end.year,
        **extra,
    }


def _on(day):
    return datetime.date(2026, 9, day)


@pytest.fixture
def hand_made(ours, theirs):
    """Seen on 15 December 2026. Due in September: 4 (held on the due date, held early, held a day late,
    never held) and a cancelled one. Held in September: those 3 and 6 due in August: decisions notified
    on day 28 (in time) and day 29 (late), one never notified, three amending with decisions on day 10
    and amended plans issued on day 84 (in time), day 85 (late) and never. December: one held, due
    later, its decision not yet due; one due on the 20th, not yet held, neither on time nor late."""
    amend = {"decision": ReviewDecision.AMEND}
    review(ours, due_on=_on(10), held_on=_on(10))
    review(ours, due_on=_on(20), held_on=_on(3))
    review(ours, due_on=_on(5), held_on=_on(6))
    review(ours, due_on=_on(15))
    review(ours, due_on=_on(4), closed_on=_on(1), cancelled_reason="The child moved away")
    review(ours, due_on=BEFORE, held_on=_on(1), decision=ReviewDecision.MAINTAIN,
           decision_notified_on=_on(1) + 28 * DAY, closed_on=_on(1) + 28 * DAY)  # fmt: skip
    review(ours, due_on=BEFORE, held_on=_on(1), decision=ReviewDecision.CEASE,
           decision_notified_on=_on(1) + 29 * DAY, closed_on=_on(1) + 29 * DAY)  # fmt: skip
    review(ours, due_on=BEFORE, held_on=_on(1))
    review(ours, due_on=BEFORE, held_on=_on(2), decision_notified_on=_on(12),
           amended_plan_issued_on=_on(2) + 84 * DAY, **amend)  # fmt: skip
    review(ours, due_on=BEFORE, held_on=_on(3), decision_notified_on=_on(13),
           amended_plan_issued_on=_on(3) + 85 * DAY, **amend)  # fmt: skip
    review(ours, due_on=BEFORE, held_on=_on(4), decision_notified_on=_on(14), **amend)
    review(ours, due_on=DEC + 4 * DAY, held_on=DEC)
    review(ours, due_on=DEC + 19 * DAY)
    # Another LA's: in none of ours.
    review(theirs, due_on=_on(4), held_on=datetime.date(2026, 10, 3))
    return ours


def _month(report, month):
    return next(row for row in report.months if row["month"] == month)


def test_the_figures_on_a_hand_made_set(hand_made):
    report = review_timeliness(user=hand_made.case_officer, today=TODAY, start=PERIOD[0], end=PERIOD[1])
    sep = _month(report, SEP)
    assert [sep[key] for key in ("due", "judged", "held_on_time", "held_late", "not_held")] == [4, 4, 2, 1, 1]
    assert sep["held_share"] == 50.0
    assert [sep[key] for key in ("held", "decisions_judged", "decisions_in_time")] == [9, 9, 4]
    assert sep["decisions_share"] == 44.4
    assert [sep[key] for key in ("amending", "amended_judged", "amended_in_time")] == [3, 3, 1]
    assert sep["amended_share"] == 33.3
    dec = _month(report, DEC)
    assert [dec[key] for key in ("due", "judged", "held_on_time", "held_share")] == [2, 1, 1, 100.0]
    assert [dec[key] for key in ("held", "decisions_judged", "decisions_share")] == [1, 0, None]
    assert _month(report, datetime.date(2026, 10, 1))["due"] == 0
    totals = report.totals
    assert [totals[key] for key in ("due", "judged", "held_on_time", "held", "decisions_in_time")] == [6, 5, 3, 10, 4]
    assert totals["held_share"] == 60.0 and totals["decisions_share"] == 44.4 and totals["amended_share"] == 33.3


def test_another_las_reviews_and_the_cancelled_are_in_no_figure(hand_made, theirs):
    report = review_timeliness(user=theirs.case_officer, today=TODAY, start=PERIOD[0], end=PERIOD[1])
    assert report.totals["due"] == 1 and report.totals["held"] == 1 and report.totals["held_late"] == 1


@pytest.mark.parametrize("who", ["case_officer", "business_support", "ad", "dco"])
def test_the_las_staff_and_the_areas_dco_open_it(hand_made, login, who):
    response = login(getattr(hand_made, who)).get(reverse("reports:reviews"), _period())
    assert response.status_code == 200
    assert "Annual reviews on time" in response.content.decode()


def test_a_send_manager_opens_it_and_it_is_on_the_reports_index(hand_made, login):
    manager = UserFactory(username="manager-review-report", organisation=hand_made.la, roles=[Role.SEND_MANAGER])
    client = login(manager)
    assert client.get(reverse("reports:reviews")).status_code == 200
    assert reverse("reports:reviews") in client.get(reverse("reports:index")).content.decode()


@pytest.mark.parametrize("who", ["spoc", "slt_practitioner", "head_of_service"])
def test_health_gets_a_404(hand_made, login, who):
    assert login(getattr(hand_made, who)).get(reverse("reports:reviews")).status_code == 404


def test_another_areas_dco_cannot_choose_our_la(hand_made, theirs, login):
    response = login(theirs.dco).get(reverse("reports:reviews"), _period(la=hand_made.la.pk))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html


def test_csv_of_each_table(hand_made, login):
    client = login(hand_made.case_officer)
    for table, first in (("due", "Month due"), ("after-meeting", "Month of the meeting")):
        response = client.get(reverse("reports:reviews"), _period(format="csv", table=table))
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][0] == first
        assert [row[0] for row in rows[1:]] == [
            "September 2026",
            "October 2026",
            "November 2026",
            "December 2026",
            "All months",
        ]


def test_the_same_queries_for_a_few_reviews_as_for_many(ours, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(ours.business_support)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:reviews"), _period()).status_code == 200
        return len(queries)

    review(ours, due_on=_on(3), held_on=_on(3))
    few = count()
    for day in range(1, 29):
        review(ours, due_on=_on(day), held_on=_on(day), decision=ReviewDecision.MAINTAIN, decision_notified_on=_on(29))
    assert count() == few


def test_the_pdf_and_an_unknown_table_or_format(hand_made, login):
    client = login(hand_made.case_officer)
    response = client.get(reverse("reports:reviews"), _period(format="pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(reverse("reports:reviews"), _period(format="csv", table="sideways")).status_code == 404
    assert client.get(reverse("reports:reviews"), _period(format="xls")).status_code == 404


def test_a_bad_period_is_an_error_on_the_page(hand_made, login):
    response = login(hand_made.case_officer).get(reverse("reports:reviews"), _period(end=datetime.date(2026, 1, 1)))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "End date must be the same as or after the start date" in html


def test_the_reports_index_links_to_it_in_the_page_not_in_the_title(hand_made, login):
    html = login(hand_made.case_officer).get(reverse("reports:index")).content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and title.startswith("Reports")
    main = html.split("<main", 1)[1]
    assert f'href="{reverse("reports:reviews")}"' in main
