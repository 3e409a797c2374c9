"""Settings of the JSON API (imported by ehc.settings; docs/decisions/0029-json-api.md)."""

import os

# The JSON API under /api/v1/ (docs/decisions/0029-json-api.md): machine clients only, by key (no
# session, so no CSRF and no browser sign-in reaches it); every call throttled in the Redis cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Per client here; per address for calls without a valid key, in api.authentication.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_client": os.environ.get("API_CLIENT_RATE") or "600/minute",
        # Calls without a valid key (and the docs pages), per client address: enough for people behind
        # one council or trust address to read the docs and for a misconfigured client to see why.
        "api_address": os.environ.get("API_ADDRESS_RATE") or "120/minute",
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.UpdatedCursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EHC health advice API",
    "DESCRIPTION": (
        "Cases, requests for health advice, advice items and their returns, escalations and their outcomes, "
        "for a council's, an ICB's or a health provider's own systems. Authenticate with the key your "
        "organisation's administrator created: `Authorization: Api-Key <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the pinned drf-spectacular-sidecar package, served by WhiteNoise: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
