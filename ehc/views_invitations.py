"""The invitation link's page: set a password, then straight on to enrol an authenticator."""

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import NewPasswordForm
from .invitations import invitation_accept as accept
from .invitations import invitation_for_token


def _not_valid(request):
    # The same page, with the same status, for an unknown, used, expired or replaced link.
    return render(request, "registration/invitation_invalid.html")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = invitation_for_token(token)
    if invitation is None:
        return _not_valid(request)
    user = invitation.user
    form = NewPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accepted = accept(request=request, token=token, password=form.cleaned_data["new_password1"])
        if accepted is None:
            return _not_valid(request)
        # Signed in with the password just chosen; the second factor comes next, before anything else.
        login(request, accepted, backend="ehc.auth.ModelBackend")
        return redirect("mfa_setup")
    return render(
        request,
        "registration/invitation_accept.html",
        {"form": form, "invited": user, "organisation": invitation.organisation},
    )
