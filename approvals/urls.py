"""Pages and API routes of the approvals app."""

app_name = "approvals"

urlpatterns: list = []
api_urlpatterns: list = []
