"""Pages and API routes of the reporting app."""

from django.urls import path

from . import api, views

app_name = "reporting"

urlpatterns: list = [
    path("dashboard/", views.DashboardPageView.as_view(), name="dashboard"),
    path("returns/", views.ReturnsPageView.as_view(), name="returns"),
    path("returns/download/", views.ReturnDownloadView.as_view(), name="returns-download"),
    path("region/", views.RegionDashboardPageView.as_view(), name="region-dashboard"),
]
api_urlpatterns: list = [
    path("dashboard/", api.DashboardView.as_view(), name="api-dashboard"),
    path("returns/phb/", api.ReturnView.as_view(), name="api-return-phb"),
    path("returns/phb/history/", api.ReturnHistoryView.as_view(), name="api-return-history"),
]
global_urlpatterns: list = [
    path(
        "api/v1/regions/<str:region>/dashboard/",
        api.RegionDashboardView.as_view(),
        name="api-region-dashboard",
    ),
]
