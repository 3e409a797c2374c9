"""The API's access matrix, as the pages' (test_access_matrix.py): every endpoint, for a client of
every role a client may hold in our organisations and in theirs, on our object, on theirs and on a
missing one.

Rules checked:
- a role the table allows gets the object (GET 200; an empty POST gets the form's errors, 400);
- a role it does not allow gets 404, and another organisation's object is indistinguishable from a
  missing one: the same status and the same body;
- a list holds the client's own organisation's object and none of the other's;
- no key, a wrong key and a revoked key get 401 everywhere;
- a refused request changes nothing.

API_URLS classifies every endpoint the router makes; one added later without a line here fails
`test_every_api_url_is_classified` (test_access_matrix.test_every_url_is_classified reads it too).
"""

import pytest
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from api.keys import client_revoke
from api.models import ApiClient
from ehc.models import Role
from tests.api.clients import api_client_for, calling_with

from . import figures
from .test_access_matrix import FINGERPRINTED, MISSING, _fingerprint, _names, objects_for

# role -> (the world's organisation, the role the client acts with)
CLIENTS = {
    "case_officer": ("la", Role.CASE_OFFICER),
    "business_support": ("la", Role.BUSINESS_SUPPORT),
    "send_manager": ("la", Role.SEND_MANAGER),
    "ad": ("la", Role.AD_EDUCATION),
    "spoc": ("provider", Role.SPOC),
    "dco": ("icb", Role.DCO),
}
EVERY_CLIENT = set(CLIENTS)
GET, POST = ("GET",), ("POST",)

# name -> (object the pk is filled from, methods tried, roles allowed on their own object); a list has no pk
# and names the object its own side's list must hold.
API_URLS = {
    "api:case-list": ("case", GET, EVERY_CLIENT),
    "api:case-detail": ({"pk": "case"}, GET, EVERY_CLIENT),
    "api:advice-request-list": ("request", GET, EVERY_CLIENT),
    "api:advice-request-detail": ({"pk": "request"}, GET, EVERY_CLIENT),
    "api:advice-item-list": ("returned_item", GET, EVERY_CLIENT),
    "api:advice-item-detail": ({"pk": "returned_item"}, GET, EVERY_CLIENT),
    # As on the pages (advice:item_return, advice:item_not_provided): the provider's SPOC returns; the
    # LA's case officer and business support may also record that advice will not come.
    "api:advice-item-return": ({"pk": "open_item"}, POST, {"spoc"}),
    "api:advice-item-not-provided": ({"pk": "open_item"}, POST, {"spoc", "case_officer", "business_support"}),
    # As on the heads of service's page (escalation:hos_outcome): the provider's SPOC for its teams.
    "api:advice-item-head-of-service-outcome": ({"pk": "escalated_item"}, POST, {"spoc"}),
    # As on the resolutions page (escalation:resolve): the area's DCO.
    "api:advice-item-escalation-2-resolution": ({"pk": "escalated_item"}, POST, {"dco"}),
    "api:escalation-list": ("escalation", GET, EVERY_CLIENT),
    "api:escalation-detail": ({"pk": "escalation"}, GET, EVERY_CLIENT),
    "api:escalation-response": ({"pk": "escalation"}, POST, {"dco"}),
}
# Open to anyone, holding no data: the schema and its docs page (classified in test_access_matrix.PUBLIC).
API_PUBLIC = {"api:schema", "api:docs"}


def test_every_api_url_is_classified():
    names = {name for name in _names(get_resolver().url_patterns) if name.startswith("api:")}
    pages = {"api:clients", "api:client_add", "api:client_revoke"}  # the administrators', in test_access_matrix
    assert names - pages - API_PUBLIC == set(API_URLS), "classify the API's URLs in tests/security/test_api_matrix.py"


@pytest.mark.django_db
def test_the_api_access_matrix(ours, theirs):
    sides = {"ours": ours, "theirs": theirs}
    objects = objects_for(sides)
    clients = {}
    for side, world in sides.items():
        for role, (org, client_role) in CLIENTS.items():
            clients[(side, role)] = calling_with(api_client_for(getattr(world, org), client_role)[1])
    revoked, revoked_key = api_client_for(ours.la, Role.BUSINESS_SUPPORT, name="Old system")
    request = type("Request", (), {"user": revoked.created_by, "META": {}})()
    client_revoke(request=request, client=revoked)
    outsiders = {
        "no key": APIClient(),
        "a wrong key": calling_with("ehc_0123456789ab_" + "A" * 43),
        "a revoked key": calling_with(revoked_key),
    }

    def url(name, params, target):
        if not isinstance(params, dict):
            return reverse(name)
        kwargs = {key: MISSING if target == "missing" else objects[target][source].pk for key, source in params.items()}
        return reverse(name, kwargs=kwargs)

    def call(client, method, path):
        return client.get(path) if method == "GET" else client.post(path, {}, format="json")

    failures, cases = [], 0
    allowed, denied = [], []
    for name, (params, methods, roles) in API_URLS.items():
        for (side, role), client in clients.items():
            other = "theirs" if side == "ours" else "ours"
            targets = (side,) if not isinstance(params, dict) else (side, other, "missing")
            for method in methods:
                for target in targets:
                    entry = (name, params, method, side, role, client, target)
                    (allowed if target == side and role in roles else denied).append(entry)

    # A call with a key notes when the key was last used (bookkeeping, like its audit row): the clients
    # are compared on everything else.
    def data():
        clients = repr(list(ApiClient.objects.order_by("pk").values_list("pk", "key_hash", "revoked_at", "role")))
        return _fingerprint(tuple(model for model in FINGERPRINTED if model is not ApiClient)) + clients

    before = data()
    bodies = {}
    for name, params, method, side, role, client, target in denied:
        cases += 1
        response = call(client, method, url(name, params, target))
        where = f"{method} {name} as {side} {role} on {target}"
        if response.status_code != 404:
            failures.append(f"{where}: {response.status_code}, expected 404")
            continue
        bodies[(name, method, side, role, target)] = response.content
    for (name, method, side, role, target), body in bodies.items():
        if target != "missing" and body != bodies.get((name, method, side, role, "missing"), body):
            failures.append(f"{method} {name} as {side} {role}: another's object differs from a missing one")
        if target != "missing" and (name, method, side, role, "missing") not in bodies:
            failures.append(f"{method} {name} as {side} {role}: a missing object was not a 404")
    for label, client in outsiders.items():
        for name, (params, methods, _roles) in API_URLS.items():
            for method in methods:
                cases += 1
                response = call(client, method, url(name, params, "ours"))
                if response.status_code != 401:
                    failures.append(f"{method} {name} with {label}: {response.status_code}, expected 401")
    if data() != before:
        failures.append("a refused request changed the database")

    for name, params, method, side, role, client, target in allowed:
        cases += 1
        response = call(client, method, url(name, params, target))
        expected = 200 if method == "GET" else 400
        if response.status_code != expected:
            failures.append(f"{method} {name} as {side} {role} on {target}: {response.status_code} not {expected}")
            continue
        if not isinstance(params, dict):
            other = "theirs" if side == "ours" else "ours"
            ids = {row["id"] for row in response.json()["results"]}
            if objects[side][params].pk not in ids:
                failures.append(f"GET {name} as {side} {role}: its own {params} is not listed")
            if objects[other][params].pk in ids:
                failures.append(f"GET {name} as {side} {role}: the other organisation's {params} is listed")

    figures.reports["api access matrix"] = f"API access matrix: {cases} cases, {len(failures)} failures"
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:200])
