"""Sharing one case with one person (issue 13, finding 3).

A share goes only to someone who works on cases in an organisation party to the case (the LA
itself, a provider asked for advice on it, the ICB of the LA's area) or on the LA's list of
partners; it lasts SHARE_DAYS unless revoked sooner; creating and revoking it are audited. Access
reads the share row at request time (`CaseShare.objects.current()` in `ehc.access`), so an
expired or revoked share gives nothing without any cleanup job.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ehc.access import works_on_cases
from ehc.audit import audit_record
from ehc.models import AuditAction, LocalAuthoritySettings, Organisation, User

from .models import SHARE_DAYS, CaseShare


def share_organisations(case):
    """The organisations whose people a case may be shared with."""
    partners = LocalAuthoritySettings.objects.filter(local_authority_id=case.local_authority_id).values(
        "partners"
    )
    return Organisation.objects.filter(
        Q(pk=case.local_authority_id)
        | Q(advice_requests__case=case)
        | Q(local_authorities=case.local_authority_id)
        | Q(pk__in=partners),
        is_active=True,
    ).distinct()


def share_recipient(*, case, email):
    """The one person the case may be shared with at this address, or None: no account, an inactive
    one, an organisation outside the case, or nobody who works on cases all answer alike."""
    candidates = User.objects.filter(
        email__iexact=email.strip(), is_active=True, organisation__in=share_organisations(case)
    ).select_related("organisation")
    found = [user for user in candidates[:2] if works_on_cases(user)]
    # An address two accounts share names nobody in particular: share with neither.
    return found[0] if len(found) == 1 else None


@transaction.atomic
def case_share(*, case, user, with_user, days=SHARE_DAYS) -> CaseShare:
    """Share the case with `with_user` until `days` from now; a current share is extended instead."""
    expires_at = timezone.now() + datetime.timedelta(days=days)
    share = CaseShare.objects.current().select_for_update().filter(case=case, user=with_user).first()
    if share is None:
        share = CaseShare.objects.create(case=case, user=with_user, shared_by=user, expires_at=expires_at)
        verb = "Shared the case with"
    else:
        share.expires_at = expires_at
        share.save(update_fields=["expires_at"])
        verb = "Extended the share of the case with"
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        case=case,
        obj=share,
        summary=f"{verb} {with_user.get_full_name() or with_user.username} ({with_user.organisation}) "
        f"until {timezone.localtime(expires_at):%-d %b %Y}",
    )
    return share


@transaction.atomic
def case_share_revoke(*, share, user) -> bool:
    """Revoke a share now. False if it was already revoked (nothing changes, nothing is audited)."""
    updated = CaseShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    if updated:
        audit_record(
            user=user,
            action=AuditAction.CHANGE,
            case=share.case,
            obj=share,
            summary=f"Revoked the share of the case with {share.user.get_full_name() or share.user.username}",
        )
    return bool(updated)
