"""Pages and API routes of the reviews app."""

app_name = "reviews"

urlpatterns: list = []
api_urlpatterns: list = []
