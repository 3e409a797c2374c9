"""The platform operator's onboarding page: upload, see what would be created, confirm. Only an
active superuser reaches it; a bad file is an error summary and creates nothing."""

import base64
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ehc.models import Organisation, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EXAMPLE = (Path(settings.BASE_DIR) / "docs" / "examples" / "onboard-area.csv").read_bytes()
URL = reverse("administration:onboard")


@pytest.fixture
def operator():
    return UserFactory(username="platform-operator", is_staff=True, is_superuser=True)


def upload(client, content, name="area.csv"):
    return client.post(URL, {"step": "check", "file": SimpleUploadedFile(name, content, content_type="text/csv")})


def names():
    return sorted(Organisation.objects.values_list("name", flat=True))


def test_upload_preview_then_confirm_creates_the_area_once(operator, login, django_capture_on_commit_callbacks):
    client = login(operator)
    assert client.get(URL).status_code == 200
    before = names()
    with django_capture_on_commit_callbacks(execute=True):
        preview = upload(client, EXAMPLE)
    body = preview.content.decode()
    assert preview.status_code == 200 and "Would create" in body
    assert "Saltmarsh Children&#x27;s Community Health serves Saltmarsh County Council" in body
    assert names() == before and mail.outbox == []
    content = base64.b64encode(EXAMPLE).decode()
    assert f'value="{content}"' in body
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(URL, {"step": "confirm", "content": content})
    assert done.status_code == 200 and "Area onboarded" in done.content.decode()
    assert "Saltmarsh County Council" in names()
    assert len(mail.outbox) == 3
    assert User.objects.get(email="drew.fenn@scch.example").organisation.name == "Saltmarsh Children's Community Health"
    # The same file again: nothing to create, no button to press.
    again = upload(client, EXAMPLE).content.decode()
    assert "Nothing to create" in again and "Create them</button>" not in again
    repeated = client.post(URL, {"step": "confirm", "content": content}).content.decode()
    assert "Nothing was created" in repeated and len(mail.outbox) == 3


@pytest.mark.parametrize(
    "content, message",
    [
        (b"kind,name\ncouncil,X\n", "kind must be icb, la or provider, not council"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"kind,name,colour\n", "Unknown column colour"),
    ],
)
def test_a_bad_file_is_an_error_summary_and_creates_nothing(operator, login, content, message):
    before = names()
    response = upload(login(operator), content)
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert "(error)" in body.split("</title>")[0]
    assert names() == before


def test_no_file_and_a_tampered_confirmation_are_errors(operator, login):
    client = login(operator)
    body = client.post(URL, {"step": "check"}).content.decode()
    assert "govuk-error-summary" in body and "Choose the onboarding file" in body
    body = client.post(URL, {"step": "confirm", "content": "not base64!"}).content.decode()
    assert "govuk-error-summary" in body and "upload it again" in body
    before = names()
    body = client.post(URL, {"step": "confirm", "content": base64.b64encode(b"kind,name\nla,X\n").decode()})
    assert "a local authority needs icb" in body.content.decode() and names() == before


def test_nobody_but_a_superuser_reaches_it(ours, our_admins, login):
    staff_only = UserFactory(username="staff-not-superuser", is_staff=True)
    inactive = UserFactory(username="gone-operator", is_staff=True, is_superuser=True)
    client_of_inactive = login(inactive)
    inactive.is_active = False
    inactive.save()
    for user in (our_admins.la, our_admins.provider, our_admins.icb, ours.case_officer, ours.dco, staff_only):
        client = login(user)
        assert client.get(URL).status_code == 404
        assert upload(client, EXAMPLE).status_code == 404
    assert client_of_inactive.get(URL).status_code == 302
    assert "Saltmarsh County Council" not in names()


def test_the_navigation_offers_it_to_the_operator_only(operator, our_admins, login):
    assert f'href="{URL}"' in login(operator).get(reverse("notifications")).content.decode()
    assert f'href="{URL}"' not in login(our_admins.icb).get(reverse("administration:index")).content.decode()
