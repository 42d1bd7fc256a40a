"""Pages and API routes of the support_plans app."""

app_name = "support_plans"

urlpatterns: list = []
api_urlpatterns: list = []
