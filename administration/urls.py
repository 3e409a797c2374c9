from django.urls import path

from escalation.models import WordingKind

from . import views
from .area import views as area
from .caseload_import import views as caseload
from .onboarding import views as onboarding
from .provider import views as provider
from .views import closures, letterhead, people, provision_types, recipients, review_timings, timings, wording

# Included by ehc.urls at /administration/: each organisation's administrator manages its own
# people and settings here (docs/decisions/0021-administration-in-the-product.md).
app_name = "administration"

urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    # A provider's administrator (docs/decisions/0025-provider-and-area-settings.md).
    path("teams/", provider.teams, name="teams"),
    path("teams/add/", provider.team_add, name="team_add"),
    path("teams/<int:pk>/", provider.team_change, name="team_change"),
    path("teams/<int:pk>/status/", provider.team_status, name="team_status"),
    path("heads-of-service/", provider.heads, name="heads"),
    path("heads-of-service/add/", provider.head_add, name="head_add"),
    path("heads-of-service/<int:pk>/", provider.head_change, name="head_change"),
    path("spoc-and-director/", provider.contacts, name="contacts"),
    # An ICB's administrator: its area's councils and their DCO/DMO office; the council's reads it.
    path("area/", area.local_authorities, name="area"),
    path("area/<int:pk>/dco-office/", area.dco_office, name="area_dco_office"),
    path("dco-office/", area.la_dco_office, name="la_dco_office"),
    # The platform operator (a superuser): a new area from its onboarding file.
    path("onboard/", onboarding.onboard, name="onboard"),
    # An LA's administrator brings in the cases already running (docs/decisions/0033-caseload-import.md).
    path("caseload/", caseload.caseload, name="caseload_import"),
    path("caseload/template.xlsx", caseload.caseload_template_xlsx, name="caseload_template_xlsx"),
    path("caseload/template.csv", caseload.caseload_template_csv, name="caseload_template_csv"),
    path("caseload/<int:pk>/", caseload.caseload_upload, name="caseload_upload"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.person_invite_view, name="person_invite"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/invite-again/", people.person_invite_again_view, name="person_invite_again"),
    path("people/<int:pk>/deactivate/", people.person_deactivate_view, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate_view, name="person_reactivate"),
    path("timings/", timings.timings, name="timings"),
    path("timings/annual-reviews/", review_timings.review_timings, name="review_timings"),
    path("recipients/", recipients.recipients, name="recipients"),
    path("closure-days/", closures.closures, name="closures"),
    path("closure-days/<int:pk>/remove/", closures.closure_remove, name="closure_remove"),
    path("provision-types/", provision_types.provision_types, name="provision_types"),
    path("provision-types/<int:pk>/", provision_types.provision_type_change, name="provision_type_change"),
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
