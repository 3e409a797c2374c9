from django.urls import path

from . import views
from .views import closures, people, recipients, timings

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
    path("timings/", timings.timings, name="timings"),
    path("recipients/", recipients.recipients, name="recipients"),
    path("closure-days/", closures.closures, name="closures"),
    path("closure-days/<int:pk>/remove/", closures.closure_remove, name="closure_remove"),
]
