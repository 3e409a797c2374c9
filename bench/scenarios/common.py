"""What the scenarios share: waiting for unmerged code, who acts on the data set, and the
transaction every write scenario rolls back."""

import importlib

from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from .. import BENCH_NOW, BENCH_TODAY, data
from ..harness import Skip, raw_cursor


def need(module_name, attribute, purpose):
    """module.attribute, or Skip naming what the scenario waits for."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise Skip(
            f"waits for {module_name}.{attribute} ({purpose}): {module_name} is not importable ({exc})"
        ) from None
    if not hasattr(module, attribute):
        raise Skip(f"waits for {module_name}.{attribute} ({purpose}): {module_name} has no {attribute}")
    return getattr(module, attribute)


def url_or_skip(name, purpose, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        raise Skip(f"waits for the URL {name!r} ({purpose}): not in the URLconf yet") from None


def target_note(label, value, limit, *, unit="ms", higher_is_better=False):
    if value is None:
        return f"{label}: not measured (target {limit} {unit})"
    met = value >= limit if higher_is_better else value <= limit
    return f"{label} {value:.1f} {unit}: {'meets' if met else 'misses'} the target {limit} {unit}"


# The context: who and what the scenarios use ----------------------------------------------------


class Context:
    """The data set's largest LA and provider, the users acting on them, logged-in test clients."""

    def __init__(self):
        self.meta = data.meta()
        self.scale = self.meta.get("scale", "?")
        self.today = BENCH_TODAY
        self.now = BENCH_NOW
        self._clients = {}
        cursor = raw_cursor()
        cursor.execute(
            """SELECT local_authority_id FROM advice_adviceitem WHERE status = 'outstanding'
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"""
        )
        self.la_id = cursor.fetchone()[0]
        cursor.execute(
            """SELECT provider_id FROM advice_adviceitem WHERE status = 'outstanding'
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"""
        )
        self.provider_id = cursor.fetchone()[0]
        cursor.execute("SELECT id, icb_id FROM ehc_organisation WHERE id = %s", [self.la_id])
        self.icb_id = cursor.fetchone()[1]
        cursor.execute(
            """SELECT team_id FROM advice_adviceitem WHERE status = 'outstanding' AND provider_id = %s
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""",
            [self.provider_id],
        )
        self.team_id = cursor.fetchone()[0]
        cursor.close()
        from ehc.models import User

        def user(**lookup):
            return User.objects.filter(is_active=True, **lookup).order_by("pk").first()

        self.officer = user(organisation_id=self.la_id, roles__contains=["case_officer"])
        self.spoc = user(organisation_id=self.provider_id, roles__contains=["spoc"])
        self.practitioner = user(organisation_id=self.provider_id, roles__contains=["practitioner"], teams=self.team_id)
        self.dco = user(organisation_id=self.icb_id, roles__contains=["dco"])

    def client(self, user):
        """A test client signed in as `user` with two-factor authentication done (tests.factories'
        verified_login, without importing the test suite)."""
        if user.pk not in self._clients:
            from django_otp.plugins.otp_static.models import StaticDevice

            client = Client()
            client.force_login(user)
            device, _ = StaticDevice.objects.get_or_create(user=user, name="Bench device", defaults={"confirmed": True})
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
            self._clients[user.pk] = client
        return self._clients[user.pk]


def get_ok(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")
    return response


class rolled_back:
    """Run a write scenario in a transaction that is then rolled back, so every repetition starts
    from the same data. Nothing commits, so nothing is sent (on_commit never fires)."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        return self

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        return self.atomic.__exit__(*exc)


def short_sql(sql, width=300):
    sql = " ".join(sql.split())
    return f"- {sql[:width]}{'...' if len(sql) > width else ''}"
