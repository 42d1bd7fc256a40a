"""Pages and API routes of the reporting app."""

app_name = "reporting"

urlpatterns: list = []
api_urlpatterns: list = []
