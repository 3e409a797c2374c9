"""An organisation's administrator creates an API client, sees its key once, revokes it."""

import re

import pytest
from django.urls import reverse

from administration.people import people_for
from api.keys import key_hash
from api.models import ApiClient
from ehc.models import AuditEvent, Role
from tests.factories import UserFactory, verified_login

from .clients import calling_with


@pytest.fixture
def la_admin(ours):
    return UserFactory(username="la-admin-api", organisation=ours.la, roles=[Role.ADMINISTRATOR])


def _create(client, name="Council case system", role=Role.BUSINESS_SUPPORT):
    return client.post(reverse("api:client_add"), {"name": name, "role": role})


@pytest.mark.django_db
def test_the_key_is_shown_once_and_only_its_hash_is_kept(client, la_admin, ours):
    verified_login(client, la_admin)
    response = _create(client)
    assert response.status_code == 200
    key = re.search(r'id="api-key">(ehc_[0-9a-f]{12}_[A-Za-z0-9_-]{43})<', response.content.decode()).group(1)
    assert response["Cache-Control"] == "no-store"
    api_client = ApiClient.objects.get()
    assert api_client.organisation == ours.la and api_client.role == Role.BUSINESS_SUPPORT
    assert api_client.key_hash == key_hash(key) and key not in repr(list(ApiClient.objects.values()))
    # Never again: the list shows the key's first characters only.
    listing = client.get(reverse("api:clients")).content.decode()
    assert f"ehc_{api_client.key_prefix}_" in listing and key not in listing
    assert calling_with(key).get(reverse("api:case-list")).status_code == 200
    assert AuditEvent.objects.filter(settings_of=ours.la, summary__startswith="Created the API client").exists()


@pytest.mark.django_db
def test_a_revoked_key_is_refused(client, la_admin):
    verified_login(client, la_admin)
    key = re.search(r'id="api-key">([^<]+)<', _create(client).content.decode()).group(1)
    api_client = ApiClient.objects.get()
    response = client.post(reverse("api:client_revoke", args=[api_client.pk]))
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert api_client.is_revoked and not api_client.account.is_active
    refused = calling_with(key).get(reverse("api:case-list"))
    assert refused.status_code == 401
    assert refused.json() == {"detail": "The API key is not valid or has been revoked"}
    # Revoking again changes nothing.
    client.post(reverse("api:client_revoke", args=[api_client.pk]))
    api_client.refresh_from_db()
    assert ApiClient.objects.get().revoked_at == api_client.revoked_at


@pytest.mark.django_db
def test_roles_offered_follow_the_organisation_kind(client, ours):
    for organisation, offered, refused in (
        (ours.la, Role.CASE_OFFICER, Role.SPOC),
        (ours.provider, Role.SPOC, Role.PRACTITIONER),
        (ours.icb, Role.DCO, Role.ADMINISTRATOR),
    ):
        admin = UserFactory(organisation=organisation, roles=[Role.ADMINISTRATOR])
        verified_login(client, admin)
        page = client.get(reverse("api:client_add")).content.decode()
        assert f'value="{offered}"' in page and f'value="{refused}"' not in page
        response = _create(client, role=refused)
        assert response.status_code == 200 and "Select a role" in response.content.decode()
    assert not ApiClient.objects.exists()


@pytest.mark.django_db
def test_bad_input_changes_nothing(client, la_admin):
    verified_login(client, la_admin)
    for data in ({"name": "", "role": Role.CASE_OFFICER}, {"name": "x" * 101, "role": Role.CASE_OFFICER}, {}):
        response = client.post(reverse("api:client_add"), data)
        assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not ApiClient.objects.exists()


@pytest.mark.django_db
def test_the_clients_account_is_not_among_the_people(client, la_admin, ours):
    verified_login(client, la_admin)
    _create(client, name="Shadow system")
    account = ApiClient.objects.get().account
    assert account not in people_for(organisation=ours.la)
    assert account.roles == [] and not account.has_usable_password()
    assert "Shadow system" not in client.get(reverse("administration:people")).content.decode()


@pytest.mark.django_db
def test_another_organisations_client_is_a_404(client, la_admin, theirs):
    their_admin = UserFactory(organisation=theirs.la, roles=[Role.ADMINISTRATOR])
    verified_login(client, their_admin)
    _create(client)
    theirs_client = ApiClient.objects.get()
    verified_login(client, la_admin)
    assert client.get(reverse("api:client_revoke", args=[theirs_client.pk])).status_code == 404
    assert client.post(reverse("api:client_revoke", args=[theirs_client.pk])).status_code == 404
    assert not ApiClient.objects.get().is_revoked
    # A person without the administrator role: the pages do not exist for them.
    verified_login(client, theirs.case_officer)
    assert client.get(reverse("api:clients")).status_code == 404
