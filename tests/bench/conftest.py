import pytest
from django.db import connection
from django.test import override_settings

from bench import data
from tests.conftest import FAST_HASHERS, _existing_world, _world


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker):
    """The tiny bench data set, built once for the module (committed, as bench_data does), wiped after.

    The test database holds the shared test worlds, which bench_data (rightly) refuses to overwrite
    in a real database: they are wiped first here, and made again afterwards for the tests that follow.
    """
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            data.wipe(cursor)
        counts = data.build("tiny", out=None)
        yield counts
        with connection.cursor() as cursor:
            data.wipe(cursor)
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            for suffix in ("Ours", "Theirs"):
                if _existing_world(suffix) is None:
                    _world(suffix)
