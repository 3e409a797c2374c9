"""Issue 13, finding 1: the Django admin is for the platform's superusers only.

An organisation's administrator, as the demo makes one (and even given staff status and every
view/change permission, which the README once told administrators they needed), reaches no admin
page, reads nothing and changes nothing; privilege-escalation attempts (own account, another
account, group membership, a new superuser) fail. The demo's platform operator gets in.
"""

import hashlib

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from ehc.demo import seed_organisations, seed_users
from ehc.models import AuditEvent, LocalAuthoritySettings, Organisation, OutboundEmail, Role, Team, User
from tests.factories import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    icb, la, provider, teams = seed_organisations()
    return seed_users((icb, la, provider), teams)


def _fingerprint():
    digest = hashlib.sha256()
    for model in (User, Organisation, Team, LocalAuthoritySettings, Group, OutboundEmail, AuditEvent):
        rows = model.objects.order_by("pk").values()
        if model is AuditEvent:  # reading is audited elsewhere; no admin read writes here
            rows = rows.exclude(action__in=["login", "mfa"])
        digest.update(repr(list(rows)).encode())
    digest.update(repr(list(User.groups.through.objects.order_by("pk").values())).encode())
    digest.update(repr(list(User.user_permissions.through.objects.order_by("pk").values())).encode())
    return digest.hexdigest()


def _admin_urls(objects):
    """Every URL of every registered model admin, on a real object of another organisation."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        meta = model._meta
        app, name = meta.app_label, meta.model_name
        urls += [reverse(f"admin:{app}_{name}_changelist"), reverse(f"admin:{app}_{name}_add")]
        obj = objects.get(model) or model._default_manager.order_by("pk").first()
        if obj is not None:
            for view in ("change", "delete", "history"):
                urls.append(reverse(f"admin:{app}_{name}_{view}", args=[obj.pk]))
    urls.append(reverse("admin:app_list", args=["ehc"]))
    return urls


def _refused(response):
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response.headers["Location"].startswith(
        (reverse("login"), reverse("admin_sign_in"), reverse("mfa_verify"))
    )


@pytest.mark.parametrize("given_staff_and_permissions", [False, True])
def test_another_organisations_administrator_gets_no_admin_page_and_changes_nothing(
    demo, theirs, given_staff_and_permissions
):
    administrator = demo["admin"]
    assert administrator.roles == [Role.ADMINISTRATOR] and not administrator.is_superuser
    if given_staff_and_permissions:
        administrator.is_staff = True
        administrator.save()
        administrator.user_permissions.set(Permission.objects.all())
    client = verified_login(Client(), administrator)
    client.raise_request_exception = False
    their_officer = theirs.case_officer
    objects = {User: their_officer, Organisation: theirs.la, Team: theirs.slt}
    before = _fingerprint()
    checked = 0
    for url in _admin_urls(objects):
        for response in (client.get(url), client.post(url, {"name": "Taken over", "post": "yes"})):
            checked += 1
            assert _refused(response), f"{url}: {response.status_code}"
            assert their_officer.last_name not in response.content.decode()
    assert checked > 40
    # Privilege escalation, each the way the admin's own forms would submit it.
    attempts = [
        (reverse("admin:ehc_user_change", args=[administrator.pk]), {"username": "admin", "is_superuser": "on",
                                                                     "is_staff": "on", "is_active": "on"}),
        (reverse("admin:ehc_user_change", args=[their_officer.pk]), {"username": their_officer.username,
                                                                     "is_superuser": "on", "is_active": "on"}),
        (reverse("admin:ehc_user_change", args=[administrator.pk]), {"username": "admin", "is_active": "on",
                                                                     "groups": [g.pk for g in Group.objects.all()]}),
        (reverse("admin:ehc_user_add"), {"username": "new.officer", "password1": "x" * 20, "password2": "x" * 20,
                                         "organisation": theirs.la.pk, "roles": ["case_officer"]}),
        (reverse("admin:auth_user_password_change", args=[their_officer.pk]), {"password1": "y" * 20,
                                                                              "password2": "y" * 20}),
        (reverse("admin:ehc_organisation_change", args=[theirs.la.pk]), {"name": theirs.la.name, "kind": "la",
                                                                         "address": "Somewhere else"}),
    ]
    for url, data in attempts:
        assert _refused(client.post(url, data)), url
    assert _fingerprint() == before
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert not User.objects.filter(username="new.officer").exists()


def test_the_demo_platform_operator_is_the_only_demo_user_the_admin_admits(demo):
    operator = demo["platform.admin"]
    assert operator.is_superuser and operator.is_staff and operator.organisation is None
    assert verified_login(Client(), operator).get(reverse("admin:index")).status_code == 200
    for username, user in demo.items():
        if username == "platform.admin":
            continue
        assert not user.is_staff and not user.is_superuser, username
        assert _refused(verified_login(Client(), user).get(reverse("admin:index"))), username


def test_an_unverified_superuser_gets_no_admin_page(demo):
    client = Client()
    client.force_login(demo["platform.admin"])
    assert _refused(client.get(reverse("admin:index")))


def test_the_user_form_never_offers_privileges_to_a_non_superuser(demo, theirs):
    """Defence in depth, should the admin ever admit someone else: the model admin itself."""
    user_admin = admin.site._registry[User]
    request = RequestFactory().get("/admin/ehc/user/")
    request.user = demo["admin"]
    for obj in (None, demo["admin"]):
        form = user_admin.get_form(request, obj)
        assert not {"is_superuser", "user_permissions", "groups"} & set(form.base_fields)
        shown = {f for _, options in user_admin.get_fieldsets(request, obj) for f in options["fields"]}
        assert not {"is_superuser", "user_permissions", "groups"} & shown
    people = user_admin.get_queryset(request)
    assert theirs.case_officer not in people and demo["platform.admin"] not in people
    assert demo["case.officer"] in people
    request.user = demo["platform.admin"]
    assert {"is_superuser", "groups"} <= set(user_admin.get_form(request, demo["admin"]).base_fields)
