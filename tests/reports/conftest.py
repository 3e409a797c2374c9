import datetime
from zoneinfo import ZoneInfo

import pytest

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The cast's passwords are hashed as the users are made; PBKDF2's cost is for real logins.
    Autouse, so it is in place before the `ours` and `theirs` fixtures create anyone."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_today(time_machine):
    """Freeze the clock at midday on a Monday in London; returns that date."""
    time_machine.move_to(datetime.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
    return TODAY
