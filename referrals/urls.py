"""Pages and API routes of the referrals app."""

app_name = "referrals"

urlpatterns: list = []
api_urlpatterns: list = []
