"""The cast every test can use, in the spirit of alice/bob/charlie: for each role, someone in
'our' organisations and someone in 'theirs', so every view test can check the outsider."""

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.test import Client

from ehc.models import Role, Service

from . import summary
from .factories import (
    IcbFactory,
    LocalAuthorityFactory,
    ProviderFactory,
    TeamFactory,
    UserFactory,
    verified_login,
)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Throttle counters live in the shared Redis: a fresh namespace per test (ehc.throttle).
    settings.THROTTLE_KEY_PREFIX = uuid.uuid4().hex
    # Production hashing costs ~0.5 s a password; tests make dozens of users.
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from ehc.celery import app

    app.conf.task_always_eager = True


def _world(suffix):
    icb = IcbFactory(name=f"ICB {suffix}", short_name=f"ICB-{suffix}")
    la = LocalAuthorityFactory(name=f"Council {suffix}", short_name=f"LA-{suffix}", icb=icb)
    provider = ProviderFactory(
        name=f"Provider {suffix}",
        short_name=f"P-{suffix}",
        spoc_email=f"spoc@provider-{suffix.lower()}.example",
    )
    provider.served_las.add(la)
    slt = TeamFactory(provider=provider, name=f"SLT {suffix}", service=Service.SLT)
    ot = TeamFactory(provider=provider, name=f"OT {suffix}", service=Service.OT)
    paeds = TeamFactory(provider=provider, name=f"Paediatrics {suffix}", service=Service.COMMUNITY_PAEDIATRICS)
    s = suffix.lower()
    people = SimpleNamespace(
        icb=icb,
        la=la,
        provider=provider,
        slt=slt,
        ot=ot,
        paeds=paeds,
        case_officer=UserFactory(username=f"officer-{s}", organisation=la, roles=[Role.CASE_OFFICER]),
        business_support=UserFactory(username=f"support-{s}", organisation=la, roles=[Role.BUSINESS_SUPPORT]),
        ad=UserFactory(username=f"ad-{s}", organisation=la, roles=[Role.AD_EDUCATION]),
        spoc=UserFactory(username=f"spoc-{s}", organisation=provider, roles=[Role.SPOC]),
        slt_practitioner=UserFactory(
            username=f"slt-{s}", organisation=provider, roles=[Role.PRACTITIONER], teams=[slt]
        ),
        ot_practitioner=UserFactory(username=f"ot-{s}", organisation=provider, roles=[Role.PRACTITIONER], teams=[ot]),
        head_of_service=UserFactory(
            username=f"hos-{s}", organisation=provider, roles=[Role.HEAD_OF_SERVICE], teams=[slt, ot, paeds]
        ),
        dco=UserFactory(username=f"dco-{s}", organisation=icb, roles=[Role.DCO]),
    )
    return people


WORLD_USERS = {
    "case_officer": "officer",
    "business_support": "support",
    "ad": "ad",
    "spoc": "spoc",
    "slt_practitioner": "slt",
    "ot_practitioner": "ot",
    "head_of_service": "hos",
    "dco": "dco",
}


def _existing_world(suffix):
    """The world made once per test database (see django_db_setup), fetched in a few queries."""
    from ehc.models import Organisation, Team, User

    s = suffix.lower()
    orgs = {
        o.name: o
        for o in Organisation.objects.filter(name__in=[f"ICB {suffix}", f"Council {suffix}", f"Provider {suffix}"])
    }
    if len(orgs) != 3:
        return None
    provider = orgs[f"Provider {suffix}"]
    teams = {t.name: t for t in Team.objects.filter(provider=provider)}
    names = {f"{prefix}-{s}": attr for attr, prefix in WORLD_USERS.items()}
    users = {u.username: u for u in User.objects.filter(username__in=names).select_related("organisation")}
    if len(users) != len(names) or len(teams) < 3:
        return None
    return SimpleNamespace(
        icb=orgs[f"ICB {suffix}"],
        la=orgs[f"Council {suffix}"],
        provider=provider,
        slt=teams[f"SLT {suffix}"],
        ot=teams[f"OT {suffix}"],
        paeds=teams[f"Paediatrics {suffix}"],
        **{attr: users[username] for username, attr in names.items()},
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Both worlds are made once, outside any test's transaction, so each test only reads them.
    # Transactional tests (which pytest-django runs last) flush them; later tests re-make them.
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        for suffix in ("Ours", "Theirs"):
            if _existing_world(suffix) is None:
                _world(suffix)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ours(db):
    return _existing_world("Ours") or _world("Ours")


@pytest.fixture
def theirs(db):
    return _existing_world("Theirs") or _world("Theirs")


@pytest.fixture
def login():
    """login(user) -> a test client signed in as user, two-factor verified."""

    def _login(user):
        return verified_login(Client(), user)

    return _login


@pytest.fixture
def today():
    return datetime.date(2026, 11, 23)


# The suite's closing figures (tests/summary.py). This file is loaded by pytest-xdist's controller as
# well as its workers; the folders' own conftest files are loaded only where tests are collected.
def pytest_runtest_logreport(report):
    summary.count_outcome(report)


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["suite_summary"] = summary.worker_output()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    data = getattr(node, "workeroutput", {}).get("suite_summary")
    if data is not None:
        summary.merge(data)


def pytest_terminal_summary(terminalreporter):
    for line, bad in summary.summary_lines():
        terminalreporter.write_line(line, red=bad, yellow=False)
