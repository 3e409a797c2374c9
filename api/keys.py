"""An API client's life: created with a key shown once, found by its key on each call, revoked.

A key is `ehc_<prefix>_<secret>`: the prefix (48 random bits) finds the row and names the key on the
administrator's page; the whole key is kept only as its SHA-256 and compared in constant time.
"""

import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from ehc.access import API_ACCOUNT_PREFIX
from ehc.audit import settings_change_record
from ehc.models import AuditAction, OrganisationUserObjectPermission, Role, User

from .models import CLIENT_ROLES, ApiClient

KEY_PATTERN = re.compile(r"^ehc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def roles_for(organisation):
    return CLIENT_ROLES.get(organisation.kind, ())


@transaction.atomic
def client_create(*, request, organisation, name, role) -> tuple[ApiClient, str]:
    """A new client of `organisation` acting with `role`, and its key: the only time the key exists
    outside the caller's hands (the page shows it once; only its hash is kept)."""
    if role not in roles_for(organisation):
        raise ValueError(f"{role!r} is not a role an API client of {organisation} may be given")
    prefix = secrets.token_hex(6)
    key = f"ehc_{prefix}_{secrets.token_urlsafe(32)}"
    account = User(
        username=f"{API_ACCOUNT_PREFIX}{prefix}",
        organisation=organisation,
        first_name=name[:150],
        last_name="(API client)",
        roles=[],
        is_active=True,
    )
    # No password: nobody signs in as a client; the key is checked by api.authentication instead.
    account.set_unusable_password()
    account.save()
    if role == Role.DCO:
        # The DCO office's right to respond, which the pages read from the synced DCO group
        # (ehc.access.user_sync_permissions): granted directly, since the account holds no role itself.
        assign_perm("ehc.respond_as_dco", account, organisation)
    client = ApiClient.objects.create(
        organisation=organisation,
        name=name,
        role=role,
        account=account,
        key_prefix=prefix,
        key_hash=key_hash(key),
        created_by=request.user,
    )
    settings_change_record(
        request=request,
        organisation=organisation,
        obj=client,
        action=AuditAction.CREATE,
        summary=f"Created the API client {name} ({Role(role).label}), key {prefix}…",
        changes={"API client": [None, f"{name}: {Role(role).label}"]},
    )
    return client, key


@transaction.atomic
def client_revoke(*, request, client) -> bool:
    """Refuse the client's key from now on. False if it was already revoked (nothing changes)."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        return False
    client.revoked_at = timezone.now()
    client.revoked_by = request.user
    client.save(update_fields=["revoked_at", "revoked_by"])
    account = client.account
    account.is_active = False
    account.save(update_fields=["is_active"])
    OrganisationUserObjectPermission.objects.filter(user=account).delete()
    settings_change_record(
        request=request,
        organisation=client.organisation,
        obj=client,
        summary=f"Revoked the API client {client.name}, key {client.key_prefix}…",
        changes={"API client": [f"{client.name}: {client.get_role_display()}", "revoked"]},
    )
    return True


def client_for_key(key: str):
    """The live client whose key this is, or None (malformed, unknown, wrong secret, or revoked)."""
    match = KEY_PATTERN.match(key or "")
    if match is None:
        return None
    client = (
        ApiClient.objects.select_related("account__organisation__la_settings", "organisation")
        .filter(key_prefix=match.group(1))
        .first()
    )
    if client is None or not hmac.compare_digest(client.key_hash, key_hash(key)):
        return None
    if client.is_revoked or not client.account.is_active or not client.organisation.is_active:
        return None
    return client
