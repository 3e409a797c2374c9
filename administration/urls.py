from django.urls import path

from escalation.models import WordingKind

from . import views
from .views import letterhead, people, wording

# Included by ehc.urls at /administration/: each organisation's administrator manages its own
# people and settings here (docs/decisions/0021-administration-in-the-product.md).
app_name = "administration"

urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.person_invite_view, name="person_invite"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/invite-again/", people.person_invite_again_view, name="person_invite_again"),
    path("people/<int:pk>/deactivate/", people.person_deactivate_view, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate_view, name="person_reactivate"),
    # The LA's letterhead and the AD Education's signature image (issue 16, letter wording).
    path("letterhead/", letterhead.letterhead, name="letterhead"),
    path("letterhead/logo/", letterhead.letterhead_logo, name="letterhead_logo"),
    path("letterhead/signature/", letterhead.letterhead_signature, name="letterhead_signature"),
    path("letterhead/preview/", letterhead.letterhead_preview, name="letterhead_preview"),
    # The wording of the LA's letters and emails, in numbered versions.
    path("wording/", wording.wording_index, name="wording"),
    path("wording/version/<int:pk>/", wording.wording_version, name="wording_version"),
]
# One address per text (administration:wording_<kind>, and its _preview): the kind is no object of
# another organisation's, so it is not a URL argument either.
urlpatterns += [
    path(f"wording/{kind}/", wording.wording_edit, {"kind": kind}, name=f"wording_{kind}")
    for kind in WordingKind.values
] + [
    path(f"wording/{kind}/preview/", wording.wording_preview, {"kind": kind}, name=f"wording_{kind}_preview")
    for kind in WordingKind.values
]
