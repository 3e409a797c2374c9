"""API clients for tests, made as an administrator makes them (api.keys.client_create), and a DRF
test client that sends the key."""

from django.test import RequestFactory
from rest_framework.test import APIClient

from api.keys import client_create
from ehc.models import Role
from tests.factories import UserFactory


def administrator_of(organisation):
    found = organisation.members.filter(roles__contains=[Role.ADMINISTRATOR], is_active=True).first()
    return found or UserFactory(
        username=f"admin-{organisation.pk}", organisation=organisation, roles=[Role.ADMINISTRATOR]
    )


def api_client_for(organisation, role, name=None):
    """(ApiClient, its key) for `organisation` acting with `role`."""
    request = RequestFactory().post("/administration/api-clients/add/")
    request.user = administrator_of(organisation)
    return client_create(request=request, organisation=organisation, name=name or f"System {role}", role=role)


def calling_with(key):
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client
