"""Issue 23: every demo user in the README's table, made as `make run` makes them (ehc.demo) and signed
in through the real sign-in and two-factor pages with the demo's authenticator key, reaches what the
README says they do, from the navigation, and an organisation's administrator sees no child's case.
The tests that once used a superuser never saw that `admin` was a dead end."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ehc.demo import DEMO_PASSWORD, DEMO_USERS, seed_organisations, seed_sign_off, seed_users
from ehc.models import Organisation

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"

# What the README's table and the paragraphs under it say each user does, as the pages that do it.
CASE_OFFICER = ["assessments:caseload", "assessments:case_create", "reports:index"]
PRACTITIONER = ["advice:team_queue"]
HEAD = ["escalation:hos_queue"]
ADMINISTRATION = [
    "administration:index",
    "administration:people",
    "administration:person_invite",
    "administration:history",
]
PROMISED = {
    "case.officer": CASE_OFFICER,
    "case.officer2": CASE_OFFICER,
    "business.support": ["assessments:caseload", "reports:dashboard", "reports:index"],
    "ad.education": ["reports:dashboard", "escalation:approvals", "reports:index"],
    "send.manager": ["assessments:caseload", "reports:dashboard", "reports:index"],
    "admin": ADMINISTRATION
    + [
        "administration:timings",
        "administration:closures",
        "administration:provision_types",
        "administration:recipients",
        "administration:letterhead",
        "administration:wording",
        "administration:la_dco_office",
    ],
    "platform.admin": ["admin:index", "administration:onboard"],
    "spoc": ["advice:spoc_queue", "escalation:hos_queue"],
    "slt.practitioner": PRACTITIONER,
    "ot.practitioner": PRACTITIONER,
    "ot.lead": PRACTITIONER + ["advice:sign_off_queue"],
    "paeds.practitioner": PRACTITIONER,
    "head.of.service": HEAD,
    "head.of.camhs": HEAD,
    "physio.lead": ["advice:spoc_queue", "escalation:hos_queue", "advice:team_queue"],
    "alliance.director": ["escalation:my_letters"],
    "dco": [
        "reports:dashboard",
        "escalation:responses_owed",
        "escalation:resolutions_due",
        "reports:index",
        "reports:commissioning",
    ],
    "commissioner": ["reports:commissioning", "reports:commissioning_rows"],
    "provider.admin": ADMINISTRATION
    + ["administration:teams", "administration:team_add", "administration:heads", "administration:contacts"],
    "icb.admin": ADMINISTRATION + ["administration:area", "administration:area_dco_office"],
}
ADMINISTRATORS = {"admin", "provider.admin", "icb.admin"}


def _readme_users():
    table = README.read_text().split("### Demo logins", 1)[1].split("\n\n| username")[1].split("\n\n")[0]
    return {name for row in table.splitlines()[2:] for name in re.findall(r"`([a-z0-9.]+)`", row.split("|")[1])}


@pytest.fixture
def demo():
    icb, la, provider, teams = seed_organisations()
    users = seed_users((icb, la, provider), teams)
    seed_sign_off(teams, users)
    return users


def _sign_in(user):
    """The sign-in page, then the two-factor page with the code the demo's authenticator shows now."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{user.username}: the password was refused"
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post(reverse("mfa_verify"), {"code": code})
    assert response.status_code == 302, f"{user.username}: the demo's two-factor code was refused"
    return client


def _links(html):
    return set(re.findall(r'href="(/[^"#?]*)', html))


def _url(name, demo):
    if name == "administration:area_dco_office":
        return reverse(name, args=[Organisation.objects.get(pk=demo["admin"].organisation_id).pk])
    return reverse(name)


def test_the_readme_lists_the_demo_users_this_test_checks():
    made = {username for username, *_ in DEMO_USERS}
    assert _readme_users() == set(PROMISED)
    assert set(PROMISED) <= made


@pytest.mark.parametrize("username", sorted(PROMISED))
def test_each_readme_demo_user_reaches_what_the_readme_says_from_the_navigation(demo, username):
    user = demo[username]
    client = _sign_in(user)
    home = client.get("/", follow=True)
    assert home.status_code == 200, username
    # One hop from the navigation: the pages in it, and the links on those pages.
    navigation = set(re.findall(r'class="govuk-service-navigation__link" href="(/[^"#?]*)"', home.content.decode()))
    promised = {_url(name, demo) for name in PROMISED[username]}
    # From the navigation, following links to the promised pages only (people -> invite someone).
    reachable, frontier = set(navigation), navigation - {reverse("logout")}
    for _hop in range(3):
        found = set()
        for path in sorted(frontier):
            page = client.get(path)
            if page.status_code == 200 and "text/html" in page.headers.get("Content-Type", ""):
                found |= _links(page.content.decode())
        frontier = (found & promised) - reachable
        reachable |= found
    for name in PROMISED[username]:
        url = _url(name, demo)
        assert url in reachable, f"{username}: no link to {url} from the navigation"
        response = client.get(url)
        assert response.status_code == 200, f"{username}: {url} answered {response.status_code}"
    if username in ADMINISTRATORS:
        # "sees no child's case", and the Django admin is the platform operator's alone.
        assert client.get(reverse("assessments:caseload")).status_code == 404
        assert client.get(reverse("reports:dashboard")).status_code == 404
        assert client.get(reverse("admin:index")).status_code in (302, 403, 404)
        assert not user.is_staff and not user.is_superuser
    if username == "platform.admin":
        assert user.is_superuser and user.is_staff
