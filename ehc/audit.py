from .models import AuditAction, AuditEvent


def _client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, action, summary, request=None, user=None, case=None, obj=None):
    """Append one event to the audit trail. `user` defaults to the request's user."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_full_name() or user.username) if user else "",
        organisation_id=getattr(user, "organisation_id", None),
        action=action,
        case=case,
        object_type=obj._meta.verbose_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        ip_address=_client_ip(request),
    )


def audit_view(request, case, what="the case record"):
    return audit_record(request=request, action=AuditAction.VIEW, case=case, summary=f"Viewed {what}")
