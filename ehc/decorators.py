from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def role_required(*roles, org_kind=None):
    """Signed in, active and holding one of `roles` (in an organisation of `org_kind`, if given).

    Anyone else gets the same 404 as a missing page: a page's existence is not disclosed.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.has_role(*roles) or user.organisation_id is None:
                raise Http404
            if org_kind is not None and user.organisation.kind != org_kind:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
