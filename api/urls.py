"""Routes of the public API (filled in by the API issue)."""

app_name = "api"

urlpatterns: list = []
