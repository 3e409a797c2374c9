import datetime
from zoneinfo import ZoneInfo

import pytest

TODAY = datetime.date(2026, 11, 23)



@pytest.fixture
def on_today(time_machine):
    """Freeze the clock at midday on a Monday in London; returns that date."""
    time_machine.move_to(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
    return TODAY
