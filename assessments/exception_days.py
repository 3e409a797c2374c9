"""Excepted days: how far an exception moves a deadline on (docs/decisions/0017-exceptions-stop-the-clock.md).

Pure functions of dates, so the rule is tested on its own (bank holidays do not enter: an exception
stops the clock for calendar days, as the 6 weeks are calendar weeks).

- A day is excepted when at least one exception covering the item runs on it: overlapping
  exceptions count each day once.
- Days before the clock started (the day the team was asked) are not counted: an exception agreed
  before the request stops nothing that had begun.
- An exception still running counts up to `until` (today, for showing how far it has gone); its
  full length is only known when it ends.
"""

import datetime
from collections.abc import Iterable

ONE_DAY = datetime.timedelta(days=1)

Period = tuple[datetime.date, datetime.date | None]


def merged_periods(
    periods: Iterable[Period], *, since: datetime.date, until: datetime.date | None = None
) -> list[tuple[datetime.date, datetime.date]]:
    """The excepted days as inclusive (first, last) ranges, in order, none overlapping or touching.
    A period with no end runs to `until`; with `until` None such a period is left out."""
    clipped = []
    for starts_on, ends_on in periods:
        last = ends_on if ends_on is not None else until
        if last is None:
            continue
        first = max(starts_on, since)
        if last >= first:
            clipped.append((first, last))
    merged: list[tuple[datetime.date, datetime.date]] = []
    for first, last in sorted(clipped):
        if merged and first <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def excepted_days(periods: Iterable[Period], *, since: datetime.date, until: datetime.date | None = None) -> int:
    """How many calendar days from `since` on at least one of `periods` covers (each day once)."""
    return sum((last - first).days + 1 for first, last in merged_periods(periods, since=since, until=until))


def moved_on(
    day: datetime.date, periods: Iterable[Period], *, since: datetime.date, until: datetime.date | None = None
) -> datetime.date:
    """`day` as a stopped clock would reach it: moved on by every excepted day from `since` up to the
    moved date itself. An exception that starts on or before the (moving) date stops the clock for
    all its days; one that starts after it moves nothing."""
    moved = day
    for first, last in merged_periods(periods, since=since, until=until):
        if first > moved:
            break
        moved += datetime.timedelta(days=(last - first).days + 1)
    return moved
