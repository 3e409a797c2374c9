import pytest
from django.db import connection

from bench import data


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker):
    """The tiny bench data set, built once for the module (committed, as bench_data does), wiped after."""
    with django_db_blocker.unblock():
        counts = data.build("tiny", out=None)
        yield counts
        with connection.cursor() as cursor:
            data._wipe(cursor)
