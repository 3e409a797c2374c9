from .models import AuditAction, AuditEvent


def _client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, action, summary, request=None, user=None, case=None, obj=None, settings_of=None, changes=None):
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
        settings_of=settings_of,
        changes=changes,
    )


def settings_change_record(*, request, organisation, summary, changes, obj=None, action=AuditAction.CHANGE):
    """Record a change to `organisation`'s settings or people for its settings history: `changes` is
    {"what a person calls the field": [before, after]}, each value as the pages show it."""
    return audit_record(
        action=action, summary=summary, request=request, obj=obj, settings_of=organisation, changes=changes
    )


def changes_between(before: dict, after: dict) -> dict:
    """{label: [before, after]} for the labels whose value differs (values as shown to a person)."""
    return {label: [before.get(label), value] for label, value in after.items() if before.get(label) != value}


def audit_view(request, case, what="the case record"):
    return audit_record(request=request, action=AuditAction.VIEW, case=case, summary=f"Viewed {what}")
