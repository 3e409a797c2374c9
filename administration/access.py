"""Who administers what: an administrator manages the one organisation they belong to, and only
through these pages (the Django admin is the platform operator's; docs/decisions/0021)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from ehc.models import OrganisationKind, Role


def is_administrator(user, *kinds) -> bool:
    """An active administrator of an organisation (of one of `kinds`, if given)."""
    if not (user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATOR)):
        return False
    org = user.organisation
    if org is None or not org.is_active:
        return False
    return not kinds or org.kind in kinds


def administrator_required(*kinds):
    """The view is an administrator's of an organisation of `kinds` (any kind if none given).
    Anyone else gets the 404 a missing page gets: the page's existence is not disclosed."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not is_administrator(request.user, *kinds):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


LA = OrganisationKind.LOCAL_AUTHORITY
PROVIDER = OrganisationKind.HEALTH_PROVIDER
ICB = OrganisationKind.ICB
