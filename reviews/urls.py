"""Pages and API routes of the reviews app."""

from django.urls import path

from . import api, views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.ReviewListView.as_view(), name="list"),
    path("reviews/policy/", views.ReviewPolicyView.as_view(), name="policy"),
    path(
        "reviews/policy/scheduled/<int:version>/withdraw/",
        views.ReviewPolicyWithdrawView.as_view(),
        name="policy-withdraw",
    ),
    path("reviews/<int:pk>/complete/", views.ReviewCompleteView.as_view(), name="review-complete"),
    path("plans/<int:pk>/request-review/", views.ReviewRequestView.as_view(), name="review-request"),
]

api_urlpatterns = [
    path("review-policy/", api.ReviewPolicyView.as_view(), name="api-review-policy"),
    path(
        "review-policy/scheduled/<int:version>/",
        api.ScheduledReviewPolicyView.as_view(),
        name="api-review-policy-scheduled",
    ),
    path("reviews/", api.ReviewListView.as_view(), name="api-reviews"),
    path("reviews/<int:pk>/", api.ReviewDetailView.as_view(), name="api-review-detail"),
    path("reviews/<int:pk>/complete/", api.ReviewCompleteView.as_view(), name="api-review-complete"),
    path("plans/<int:pk>/reviews/", api.PlanReviewsView.as_view(), name="api-plan-reviews"),
]
