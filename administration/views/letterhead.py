"""The LA administrator's letterhead page: the address block and footer, the logo and the AD
Education's signature image, and a PDF of the escalation 1 letter on demo data to check them."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ehc.models import LocalAuthoritySettings
from escalation.letter_demo import demo_letter_content

from ..access import LA, administrator_required
from ..letterhead import IMAGES, ImageForm, LetterheadForm, letterhead_image_set, letterhead_update
from ..sections import sections_for
from .pdf import pdf_response


def _page(request, *, form=None, image_forms=None, status=200):
    la = request.user.organisation
    la_settings = LocalAuthoritySettings.for_la(la)
    image_forms = image_forms or {}
    images = [
        {
            "which": which,
            "label": label,
            "present": bool(getattr(la_settings, field)),
            "form": image_forms.get(which) or ImageForm(which=which),
        }
        for which, (field, label) in IMAGES.items()
    ]
    return render(
        request,
        "administration/letterhead.html",
        {
            "organisation": la,
            "sections": sections_for(la),
            "form": form or LetterheadForm.for_la(la),
            "images": images,
            "image_errors": [form for form in image_forms.values() if form.errors],
        },
        status=status,
    )


@administrator_required(LA)
@require_http_methods(["GET", "POST"])
def letterhead(request):
    la = request.user.organisation
    form = LetterheadForm.for_la(la, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = letterhead_update(request=request, la=la, data=form.cleaned_data)
        messages.success(request, "Letterhead saved" if changes else "Nothing was changed")
        return redirect("administration:letterhead")
    return _page(request, form=form)


def _image_view(which):
    field = IMAGES[which][0]

    @administrator_required(LA)
    @require_http_methods(["GET", "POST"])
    def view(request):
        la = request.user.organisation
        if request.method == "GET":
            # The image as stored (a PNG this service wrote), to the LA's own administrator only.
            stored = getattr(LocalAuthoritySettings.for_la(la), field)
            if not stored:
                raise Http404
            with stored.open("rb") as image:
                response = HttpResponse(image.read(), content_type="image/png")
            response["X-Content-Type-Options"] = "nosniff"
            response["Cache-Control"] = "private, no-store"
            response["Content-Disposition"] = f'inline; filename="{which}.png"'
            return response
        form = ImageForm(request.POST, request.FILES, which=which)
        if form.is_valid():
            image = form.cleaned_data["image"]
            letterhead_image_set(request=request, la=la, which=which, image=image)
            label = IMAGES[which][1]
            messages.success(request, f"The {label} was removed" if image is None else f"The {label} was uploaded")
            return redirect("administration:letterhead")
        return _page(request, image_forms={which: form})

    view.__name__ = f"letterhead_{which}"
    return view


letterhead_logo = _image_view("logo")
letterhead_signature = _image_view("signature")


@administrator_required(LA)
@require_http_methods(["GET"])
def letterhead_preview(request):
    """The escalation 1 letter as it would be issued today, on invented data, as a PDF."""
    content = demo_letter_content(la=request.user.organisation, today=timezone.localdate())
    return pdf_response(content, filename="letter-preview.pdf")
