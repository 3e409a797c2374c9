"""Report periods: calendar quarters, the last twelve months, the months of a period."""

import datetime


def quarter_of(day: datetime.date):
    start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return start, _month_end(_add_months(start, 2))


def previous_quarters(today: datetime.date, count=4):
    """The last `count` complete calendar quarters, most recent first."""
    start, _ = quarter_of(today)
    quarters = []
    for _ in range(count):
        start = _add_months(start, -3)
        quarters.append((start, _month_end(_add_months(start, 2))))
    return quarters


def last_twelve_months(today: datetime.date):
    this_month = today.replace(day=1)
    return _add_months(this_month, -12), this_month - datetime.timedelta(days=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(day: datetime.date) -> datetime.date:
    return _add_months(day, 1) - datetime.timedelta(days=1)


def months_between(start: datetime.date, end: datetime.date):
    month = start.replace(day=1)
    months = []
    while month <= end:
        months.append(month)
        month = _add_months(month, 1)
    return months
