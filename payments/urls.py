"""Pages and API routes of the payments app."""

app_name = "payments"

urlpatterns: list = []
api_urlpatterns: list = []
