"""The explorer's routes, at the site's root: a page's URL is its API URL without ``/api/v1`` (a public
contract, as the API's: people cite these pages)."""

from django.urls import path

from api.explorer import pages
from datasets.resources import RESOURCES

app_name = "explorer"

urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.search_page, name="search"),
    path("access/", pages.access_matrix, name="access"),
    path("timeline/", pages.timeline, name="timeline"),
]
for resource in RESOURCES:
    urlpatterns += [
        path(
            f"{resource.name}/", pages.record_list, {"resource_name": resource.name}, name=f"{resource.basename}-list"
        ),
        path(
            f"{resource.name}/<str:slug>/",
            pages.record_page,
            {"resource_name": resource.name},
            name=f"{resource.basename}-detail",
        ),
    ]
