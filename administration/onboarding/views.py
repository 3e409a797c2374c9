"""The platform operator's onboarding page: upload the area's file, see what it would create, confirm.
Nobody but an active superuser reaches it (anyone else gets the 404 a missing page gets)."""

import base64
import binascii
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .parse import OnboardError, decode, read
from .services import onboard as onboard_run


def platform_operator_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff and user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class OnboardFileForm(forms.Form):
    file = forms.FileField(
        label="The area's onboarding file (CSV)",
        help_text="One organisation a row; the README's \u201cHow a new council starts\u201d lists the columns.",
        error_messages={"required": "Choose the onboarding file", "empty": "The chosen file is empty"},
    )


class OnboardConfirmForm(forms.Form):
    # The file's text, carried from the preview to the confirmation (base64: newlines intact).
    content = forms.CharField(widget=forms.HiddenInput)

    def clean_content(self):
        try:
            return base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError("The file was not carried over: upload it again") from None


@platform_operator_required
@require_http_methods(["GET", "POST"])
def onboard(request):
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm(request)
    form = OnboardFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(1_000_000)
        try:
            outcome = onboard_run(entries=read(decode(data)), request=request, dry_run=True)
        except OnboardError as error:
            for message in error.errors:
                form.add_error("file", message)
        else:
            content = base64.b64encode(data).decode()
            return render(request, "administration/onboarding/preview.html", {"outcome": outcome, "content": content})
    return render(request, "administration/onboarding/upload.html", {"form": form})


def _confirm(request):
    confirm = OnboardConfirmForm(request.POST)
    form = OnboardFileForm()
    if confirm.is_valid():
        try:
            outcome = onboard_run(entries=read(decode(confirm.cleaned_data["content"])), request=request)
        except OnboardError as error:
            # Something changed since the preview (another run, say): nothing was created.
            form = OnboardFileForm(data={})
            form.errors.clear()
            for message in error.errors:
                form.add_error(None, message)
        else:
            return render(request, "administration/onboarding/done.html", {"outcome": outcome})
    else:
        form = OnboardFileForm(data={})
        form.errors.clear()
        form.add_error(None, "The file was not carried over: upload it again")
    return render(request, "administration/onboarding/upload.html", {"form": form})
