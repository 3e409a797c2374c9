"""Rate limits on the API, counted in the cache (Redis): per client, and per address for calls
without a valid key (the schema and docs pages among them). The rates are read on each call
(settings REST_FRAMEWORK, so a test or an operator can change them); if Redis cannot be reached the
call goes through and the log says so."""

import logging

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class _Throttle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache is down: refusing every call would stop the councils' systems
            log.warning("API throttle %s: cache unreachable, call let through", self.scope, exc_info=True)
            return True

    def _key(self, ident):
        return f"throttle:{settings.THROTTLE_KEY_PREFIX}:{self.scope}:{ident}"


class ClientRateThrottle(_Throttle):
    scope = "api_client"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self._key(request.user.pk)


class AddressRateThrottle(_Throttle):
    """Calls without a valid key, per client address: applied by api.authentication while it looks
    for the key (reading `request.user` there would start authentication again)."""

    scope = "api_address"

    def get_cache_key(self, request, view):
        return self._key(self.get_ident(request))
