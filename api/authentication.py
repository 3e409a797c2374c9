"""The API's one way in: `Authorization: Api-Key <key>` (or `Bearer <key>`). No session: a browser
signed in to the pages reaches nothing here, and no CSRF token is needed or accepted."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled

from .keys import client_for_key
from .models import ApiClient
from .throttling import AddressRateThrottle

SCHEMES = {"api-key", "bearer"}
# The page shows when a key was last used; a minute's precision saves a write on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        scheme, _, key = header.partition(" ")
        client = client_for_key(key.strip()) if scheme.lower() in SCHEMES else None
        if client is None:
            # Counted here, before DRF's permission check would answer 401 without reaching the
            # throttles: calls without a valid key (and the open docs pages) are limited per address.
            throttle = AddressRateThrottle()
            if not throttle.allow_request(request, None):
                raise Throttled(throttle.wait())
            if scheme.lower() not in SCHEMES:
                return None
            raise AuthenticationFailed("The API key is not valid or has been revoked")
        account = client.account
        # The client's role, given per call: every access rule reads the user's roles, so the client
        # sees and may do exactly what a person of its organisation holding that role may.
        account.roles = [client.role]
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return account, client

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the schema (and its docs page's Authorize button) names the key."""

    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: the key your organisation's administrator created "
            "(Administration, API clients)",
        }
