"""The budget holder's pages (/my/) and API (/api/v1/me/)."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("my/", views.MyHomeView.as_view(), name="my-plan"),
    path("my/budgets/<int:pk>/", views.MyPlanView.as_view(), name="my-budget"),
    path("my/budgets/<int:pk>/money/", views.MyMoneyView.as_view(), name="my-money"),
    path("my/budgets/<int:pk>/reviews/", views.MyReviewsView.as_view(), name="my-reviews"),
    path("my/budgets/<int:pk>/plan.pdf", views.MyPlanPdfView.as_view(), name="my-plan-pdf"),
    path(
        "my/budgets/<int:pk>/payments/<int:entry>/receipt/",
        views.MyReceiptView.as_view(),
        name="my-receipt",
    ),
    path("api/v1/me/", api.MeView.as_view(), name="api-me"),
    path(
        "api/v1/me/budgets/<int:pk>/review-requests/",
        api.ReviewRequestView.as_view(),
        name="api-me-review-requests",
    ),
    path("api/v1/me/budgets/<int:pk>/pdf/", api.PlanPdfView.as_view(), name="api-me-pdf"),
]
