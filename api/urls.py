"""Routes of the public API: one router, plural kebab-case prefixes (frozen once published)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("sources", views.SourceViewSet, basename="source")
router.register("chips", views.ChipViewSet, basename="chip")
router.register("model-releases", views.ModelReleaseViewSet, basename="model-release")
router.register("access-grants", views.AccessGrantViewSet, basename="access-grant")
router.register("export-controls", views.ExportControlViewSet, basename="export-control")

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("changes/", views.ChangeFeedView.as_view(), name="changes"),
    path("dataset/", views.DatasetView.as_view(), name="dataset"),
    path("dataset/files/<path:name>", views.dataset_file, name="dataset-file"),
    *router.urls,
]
