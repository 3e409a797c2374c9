"""Working days: Monday to Friday except England and Wales bank holidays (substitute days
included, from the `holidays` package) and the LA's own closure days."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays(day.year)


class WorkingCalendar:
    """A calendar for one LA. Closure days are loaded once per instance: build one per sweep."""

    def __init__(self, closure_days=()):
        self.closure_days = frozenset(closure_days)

    @classmethod
    def for_la(cls, la_id):
        from .models import ClosureDay

        if la_id is None:
            return cls()
        return cls(ClosureDay.objects.filter(local_authority_id=la_id).values_list("date", flat=True))

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and not is_bank_holiday(day) and day not in self.closure_days

    def on_or_after(self, day: datetime.date) -> datetime.date:
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day

    def after(self, day: datetime.date) -> datetime.date:
        return self.on_or_after(day + datetime.timedelta(days=1))

    def add_working_days(self, day: datetime.date, count: int) -> datetime.date:
        """The date `count` working days after `day` (day itself not counted)."""
        for _ in range(count):
            day = self.after(day)
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]: how many working days late `end` is against `start`."""
        if end <= start:
            return 0
        count = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
