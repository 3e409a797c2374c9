from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views, views_clients

# Included by ehc.urls at /api/v1/ (the API), and the administrators' pages at /administration/api-clients/.
app_name = "api"

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("advice-requests", views.AdviceRequestViewSet, basename="advice-request")
router.register("advice-items", views.AdviceItemViewSet, basename="advice-item")
router.register("escalations", views.EscalationViewSet, basename="escalation")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    # The schema and its docs page, open to anyone (they describe the API, hold no data); the
    # pages' scripts and styles are the pinned drf-spectacular-sidecar's, served by WhiteNoise.
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("administration/api-clients/", views_clients.clients, name="clients"),
    path("administration/api-clients/add/", views_clients.client_add, name="client_add"),
    path("administration/api-clients/<int:pk>/revoke/", views_clients.client_revoke, name="client_revoke"),
]
