"""Property-based tests (hypothesis) over the working-day calendar, the statutory timeline and
the case form: invariants hold for any dates, and no input gives a server error or a row."""

import datetime

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import timeline
from assessments.forms import CaseForm
from assessments.models import UPN_LETTERS, Case, validate_nhs_number, validate_upn
from ehc.forms import GovDateField
from ehc.workdays import WorkingCalendar

from . import figures

ONE_DAY = datetime.timedelta(days=1)
PROPERTY = settings(max_examples=100, deadline=None)

dates = st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2040, 12, 31))
closures = st.frozensets(dates, max_size=12)


def _count(what):
    figures.examples[what] += 1


def _working_days_in(calendar, start, end):
    """Working days d with start <= d < end, counted the slow, obvious way."""
    count, day = 0, start
    while day < end:
        count += calendar.is_working_day(day)
        day += ONE_DAY
    return count


# Working days ----------------------------------------------------------------------------


@PROPERTY
@given(day=dates, closed=closures)
def test_on_or_after_is_the_first_working_day_from_the_date(day, closed):
    _count("calendar")
    calendar = WorkingCalendar(closed)
    result = calendar.on_or_after(day)
    assert result >= day
    assert calendar.is_working_day(result)
    assert result.weekday() < 5 and result not in closed
    assert _working_days_in(calendar, day, result) == 0
    assert (result == day) == calendar.is_working_day(day)


@PROPERTY
@given(day=dates, closed=closures)
def test_after_is_the_first_working_day_strictly_after(day, closed):
    _count("calendar")
    calendar = WorkingCalendar(closed)
    result = calendar.after(day)
    assert result > day
    assert calendar.is_working_day(result)
    assert _working_days_in(calendar, day + ONE_DAY, result) == 0


@PROPERTY
@given(day=dates, count=st.integers(min_value=0, max_value=40), closed=closures)
def test_add_working_days_has_exactly_n_working_days_in_between(day, count, closed):
    _count("calendar")
    calendar = WorkingCalendar(closed)
    result = calendar.add_working_days(day, count)
    assert result >= day
    if count:
        assert calendar.is_working_day(result)
    else:
        assert result == day
    # (day, result] holds exactly `count` working days.
    assert _working_days_in(calendar, day + ONE_DAY, result + ONE_DAY) == count
    assert calendar.working_days_between(day, result) == count
    # One more working day is the next working day after.
    assert calendar.add_working_days(day, count + 1) == calendar.after(result)


@PROPERTY
@given(first=dates, second=dates, count=st.integers(min_value=0, max_value=20), closed=closures)
def test_the_calendar_keeps_dates_in_order(first, second, count, closed):
    _count("calendar")
    calendar = WorkingCalendar(closed)
    early, late = sorted([first, second])
    assert calendar.on_or_after(early) <= calendar.on_or_after(late)
    assert calendar.after(early) <= calendar.after(late)
    assert calendar.add_working_days(early, count) <= calendar.add_working_days(late, count)
    assert calendar.add_working_days(early, count) <= calendar.add_working_days(early, count + 1)


@PROPERTY
@given(year=st.integers(min_value=2015, max_value=2040), closed=closures)
def test_bank_holidays_and_weekends_are_never_working_days(year, closed):
    _count("calendar")
    calendar = WorkingCalendar(closed)
    for day in holidays.country_holidays("GB", subdiv="ENG", years=year):
        assert not calendar.is_working_day(day)
    christmas = datetime.date(year, 12, 25)
    # Christmas on a weekend has a substitute day: the first working day after it is never the 25th-27th.
    assert calendar.after(christmas - ONE_DAY) >= datetime.date(year, 12, 27) + ONE_DAY * (
        christmas.weekday() >= 4
    )


# The statutory timeline ------------------------------------------------------------------


@PROPERTY
@given(received=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_no_statutory_deadline_is_before_the_request_was_received(received):
    _count("timeline")
    decision = timeline.decision_due(received)
    notice = timeline.notice_not_to_issue_due(received)
    draft = timeline.draft_plan_latest(received)
    final = timeline.final_plan_due(received)
    assert received < decision < notice < draft < final
    assert (decision - received).days == 42
    assert (final - received).days == 140
    assert draft + datetime.timedelta(days=15) == final
    assert timeline.comment_period_ends(draft) == final


@PROPERTY
@given(
    asked=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)),
    period=st.integers(min_value=0, max_value=365),
    done_after=st.one_of(st.none(), st.integers(min_value=-30, max_value=400)),
    today_after=st.integers(min_value=-30, max_value=400),
)
def test_advice_due_and_the_rag_status_agree(asked, period, done_after, today_after):
    _count("timeline")
    due = timeline.advice_due(asked, period)
    assert due >= asked
    assert timeline.advice_due(asked) == asked + datetime.timedelta(weeks=6)
    done = None if done_after is None else asked + datetime.timedelta(days=done_after)
    today = asked + datetime.timedelta(days=today_after)
    rag = timeline.rag_status(due, done, today)
    if done is not None:
        assert rag == (timeline.Rag.DONE if done <= due else timeline.Rag.RED)
    elif today > due:
        assert rag == timeline.Rag.RED
    else:
        assert rag in {timeline.Rag.AMBER, timeline.Rag.GREEN}
        assert (rag == timeline.Rag.AMBER) == ((due - today).days <= timeline.AMBER_DAYS)


# Dates and numbers typed into forms ------------------------------------------------------

ODD_PARTS = [
    "",
    " ",
    "0",
    "00",
    "-1",
    "1.5",
    "1e3",
    "29",
    "30",
    "31",
    "32",
    "02",
    "13",
    "2024",
    "99999",
    "١٢",
    "²",
    "½",
    "  7 ",
    "\t3",
    "0x1f",
    "+4",
    "٣١",
    "2024\x00",
    "１２",
]
date_part = st.one_of(
    st.sampled_from(ODD_PARTS),
    st.integers(min_value=-50, max_value=3000).map(str),
    st.text(max_size=6),
)
real_past_date = st.dates(min_value=datetime.date(2001, 1, 1), max_value=datetime.date(2025, 12, 31))


def _nhs_number_with_check_digit(nine):
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = (11 - total % 11) % 11
    return None if check == 10 else nine + str(check)


valid_nhs_numbers = (
    st.text("0123456789", min_size=9, max_size=9)
    .map(_nhs_number_with_check_digit)
    .filter(bool)
    .map(lambda n: st.sampled_from([n, f"{n[:3]} {n[3:6]} {n[6:]}"]))
    .flatmap(lambda s: s)
)


def _upn_with_check_letter(twelve):
    total = sum((int(c) if c.isdigit() else UPN_LETTERS.index(c)) * pos for pos, c in enumerate(twelve, 2))
    return UPN_LETTERS[total % 23] + twelve


valid_upns = st.tuples(
    st.text("0123456789", min_size=11, max_size=11), st.sampled_from("0123456789" + UPN_LETTERS)
).map(lambda parts: _upn_with_check_letter(parts[0] + parts[1]))

nhs_numbers = st.one_of(
    valid_nhs_numbers, st.text(max_size=14), st.text("0123456789 ", max_size=14), st.sampled_from(["²" * 10])
)
upns = st.one_of(valid_upns, st.text(max_size=14), st.text("0123456789ABZ", max_size=14))


def _date_data(name, parts):
    return {f"{name}_{index}": part for index, part in enumerate(parts)}


def _date_parts(date):
    return st.sampled_from(
        [
            (str(date.day), str(date.month), str(date.year)),
            (f"{date.day:02d}", f"{date.month:02d}", str(date.year)),
        ]
    )


typed_date = st.one_of(st.tuples(date_part, date_part, date_part), real_past_date.flatmap(_date_parts))

names = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ '-", max_size=30)


@st.composite
def case_form_data(draw):
    data = {
        "first_name": draw(names),
        "last_name": draw(st.one_of(names, st.text(max_size=120))),
        "nhs_number": draw(nhs_numbers),
        "upn": draw(upns),
        "postcode": draw(st.text(max_size=12)),
        "requested_by": draw(st.sampled_from(["parent", "young_person", "setting", "", "nobody"])),
        "family_views": draw(st.text(max_size=50)),
    }
    data.update(_date_data("date_of_birth", draw(typed_date)))
    data.update(_date_data("received_on", draw(typed_date)))
    return data


def _assert_clean_case_data(data):
    today = timezone.localdate()
    born, received = data["date_of_birth"], data["received_on"]
    assert isinstance(born, datetime.date) and isinstance(received, datetime.date)
    assert born <= received <= today
    assert (received - born).days <= 26 * 366
    if data["nhs_number"]:
        assert len(data["nhs_number"]) == 10 and data["nhs_number"].isascii() and data["nhs_number"].isdigit()
        validate_nhs_number(data["nhs_number"])
    if data["upn"]:
        assert len(data["upn"]) == 13 and data["upn"].isascii()
        validate_upn(data["upn"])


@settings(max_examples=100, deadline=None)
@given(parts=st.tuples(date_part, date_part, date_part), not_future=st.booleans())
def test_a_date_field_gives_a_real_date_or_a_message_never_a_crash(parts, not_future):
    _count("date field")
    field = GovDateField(label="Date the request was received", not_future=not_future)
    try:
        value = field.clean(list(parts))
    except ValidationError as error:
        assert all(message.strip() for message in error.messages)
        return
    assert isinstance(value, datetime.date)
    assert 1900 <= value.year <= 2200
    if not_future:
        assert value <= timezone.localdate()


@settings(max_examples=100, deadline=None)
@given(number=valid_nhs_numbers, upn=valid_upns)
def test_real_nhs_numbers_and_upns_are_accepted(number, upn):
    _count("case form")
    form = CaseForm({"nhs_number": number, "upn": upn.lower()})
    form.is_valid()
    assert "nhs_number" not in form.errors
    assert "upn" not in form.errors
    assert form.cleaned_data["nhs_number"] == number.replace(" ", "")
    assert form.cleaned_data["upn"] == upn


@settings(max_examples=100, deadline=None)
@given(data=case_form_data())
def test_the_case_form_accepts_only_clean_data_and_never_crashes(data):
    _count("case form")
    form = CaseForm(data)
    if form.is_valid():
        _assert_clean_case_data(form.cleaned_data)
    else:
        assert form.errors
        assert all(message.strip() for messages in form.errors.values() for message in messages)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=case_form_data())
def test_the_new_case_page_never_gives_a_server_error_or_a_row_from_bad_input(data, ours, login):
    _count("new case page")
    client = login(ours.case_officer)
    client.raise_request_exception = False
    before = Case.objects.count()
    response = client.post(reverse("assessments:case_create"), data)
    if response.status_code >= 500:
        figures.server_errors += 1
    assert response.status_code in (200, 302)
    valid = CaseForm(data).is_valid()
    if response.status_code == 302:
        assert valid
        assert Case.objects.count() == before + 1
    else:
        if Case.objects.count() != before:
            figures.rows_from_invalid_input += 1
        assert Case.objects.count() == before
        # A valid form comes back only to ask whether the child is one the LA already has: the
        # examples share the test's transaction, so an earlier example's child can be that one.
        assert not valid or response.context["duplicates"]
        page = response.content.decode()
        assert "There is a problem" in page
        # Nothing the user typed is lost.
        if data["first_name"].strip():
            assert (
                f'value="{escape(data["first_name"].strip())}' in page or escape(data["first_name"]) in page
            )
