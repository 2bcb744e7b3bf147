"""Routes of the public API: one router, a route per resource of the table (``datasets.resources``), by its name
(plural kebab-case, frozen once published) and basename."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from api import views
from datasets.resources import RESOURCES

app_name = "api"

router = SimpleRouter()
for resource in RESOURCES:
    router.register(resource.name, views.VIEWSETS[resource.name], basename=resource.basename)

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("changes/", views.ChangeFeedView.as_view(), name="changes"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("dataset/", views.DatasetView.as_view(), name="dataset"),
    path("dataset/files/<path:name>", views.dataset_file, name="dataset-file"),
    *router.urls,
]
