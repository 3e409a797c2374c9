"""The audit trail records sign-in events and denied access, and nothing can change or delete it."""

import datetime

import pytest
import time_machine
from django.contrib.admin import site as admin_site
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from ehc.audit import audit_record
from ehc.models import AuditAction, AuditEvent

from .conftest import sign_in, totp_code

pytestmark = pytest.mark.django_db


def _events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id").values_list("action", "summary"))


def test_a_sign_in_journey_is_recorded_step_by_step(enrolled):
    client = Client(REMOTE_ADDR="192.0.2.44")
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        sign_in(client, enrolled, "not the password")
        sign_in(client, enrolled)
        client.post(reverse("mfa_verify"), {"code": "not-a-code"})
        clock.shift(datetime.timedelta(seconds=5))  # past the wait after a wrong code
        client.post(reverse("mfa_verify"), {"code": totp_code(enrolled.totp)})
        client.post(reverse("logout"))

    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED, actor=None)
    assert repr(enrolled.username) in failed.summary
    assert failed.ip_address == "192.0.2.44"
    assert _events(actor=enrolled) == [
        (AuditAction.LOGIN, "Signed in with password"),
        (AuditAction.LOGIN_FAILED, "Wrong two-factor code"),
        (AuditAction.MFA, "Verified two-factor code"),
        (AuditAction.LOGOUT, "Signed out"),
    ]
    assert all(event.ip_address == "192.0.2.44" for event in AuditEvent.objects.filter(actor=enrolled))
    assert set(AuditEvent.objects.filter(actor=enrolled).values_list("organisation", flat=True)) == {
        enrolled.organisation_id
    }


def test_a_lockout_is_recorded(officer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(Client(), officer, "not the password")
    assert AuditEvent.objects.filter(
        actor=officer, action=AuditAction.LOGIN_FAILED, summary__startswith="Account locked"
    ).exists()


def test_set_up_of_two_factor_authentication_is_recorded(officer):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    sign_in(client, officer)
    client.get(reverse("mfa_setup"))
    client.post(reverse("mfa_setup"), {"code": totp_code(TOTPDevice.objects.get(user=officer))})
    assert (AuditAction.MFA, "Set up two-factor authentication") in _events(actor=officer)


@pytest.mark.parametrize("route", ["assessments:case_detail", "assessments:case_edit"])
def test_another_organisations_case_is_a_404_and_recorded_as_denied(officer, their_case, login, route):
    client = login(officer)
    response = client.get(reverse(route, args=[their_case.pk]))
    assert response.status_code == 404
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.actor == officer
    assert f"'pk': {their_case.pk}" in denied.summary
    # Nothing of the case was shown, and its own trail records no view by this user.
    assert their_case.child.last_name not in response.content.decode()
    assert not AuditEvent.objects.filter(case=their_case, actor=officer).exists()


def test_a_missing_case_is_the_same_404_and_not_recorded_as_denied(officer, their_case, login):
    client = login(officer)
    missing = client.get(reverse("assessments:case_detail", args=[their_case.pk + 10_000]))
    hidden = client.get(reverse("assessments:case_detail", args=[their_case.pk]))
    assert missing.status_code == hidden.status_code == 404
    assert missing.content == hidden.content
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == 1


def test_the_database_refuses_to_update_or_delete_audit_events(officer):
    event = audit_record(user=officer, action=AuditAction.LOGIN, summary="Signed in with password")
    attempts = {
        "queryset update": lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten"),
        "queryset delete": lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        "instance save": lambda: AuditEvent(
            **{f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields}
            | {"summary": "rewritten"}
        ).save(),
        "instance delete": lambda: event.delete(),
    }
    for what, attempt in attempts.items():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
        event.refresh_from_db()
        assert event.summary == "Signed in with password", what
    from django.db import connection

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ehc_auditevent SET summary = 'raw' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, summary="Signed in with password").exists()


def test_the_admin_cannot_add_change_or_delete_audit_events(officer, administrator, login):
    event = audit_record(user=officer, action=AuditAction.LOGIN, summary="Signed in with password")
    admin = login(administrator)
    base = "/admin/ehc/auditevent/"

    listing = admin.get(base)
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    detail = admin.get(f"{base}{event.pk}/change/")
    assert detail.status_code == 200  # read-only view
    assert 'name="_save"' not in detail.content.decode()

    assert admin.get(f"{base}add/").status_code == 404  # PermissionDenied answers as a missing page here
    assert (
        admin.post(f"{base}{event.pk}/change/", {"summary": "rewritten"}).status_code == 404
    )  # PermissionDenied answers as a missing page here
    assert (
        admin.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 404
    )  # PermissionDenied answers as a missing page here
    assert admin.post(
        base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    ).status_code in (200, 302)
    event.refresh_from_db()
    assert event.summary == "Signed in with password"
    model_admin = admin_site._registry[AuditEvent]
    assert "delete_selected" not in model_admin.get_actions(listing.wsgi_request)


def test_a_password_reset_is_recorded_without_keeping_unknown_addresses(enrolled):
    import re

    from django.conf import settings
    from django.core import mail

    client = Client(REMOTE_ADDR="192.0.2.45")
    client.post(reverse("password_reset"), {"email": "nobody-here@council.example"})
    client.post(reverse("password_reset"), {"email": enrolled.email})
    link = re.search(re.escape(settings.SITE_URL) + r"(/account/password-reset/\S+/\S+/)", mail.outbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    mismatch = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "a brand new harbour lantern", "new_password2": "other"}
    )
    assert "The two passwords do not match" in mismatch.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new harbour lantern", "new_password2": "a brand new harbour lantern"},
    )

    sent = AuditEvent.objects.filter(action=AuditAction.SEND, actor=None).order_by("id")
    assert [event.summary for event in sent] == [
        "Password reset asked for an address with no active account: nothing sent",
        f"Password reset link sent for {enrolled.username!r}",
    ]
    assert "nobody-here" not in sent[0].summary
    assert sent[1].object_id == str(enrolled.pk) and sent[1].ip_address == "192.0.2.45"
    assert _events(actor=enrolled) == [(AuditAction.CHANGE, "Password changed with a reset link")]


def test_password_reset_forms_speak_govuk(enrolled):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": ""})
    assert response.status_code == 200
    assert "Enter your email address" in response.content.decode()
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert "Enter an email address in the correct format, like name@example.com" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEND).exists()
