"""Pages and API routes of the approvals app."""

from django.urls import path

from . import api, views

app_name = "approvals"

urlpatterns = [
    path("approvals/", views.QueueView.as_view(), name="queue"),
    path("approvals/<int:pk>/", views.DecisionView.as_view(), name="decision"),
    path("approval-policy/", views.PolicyView.as_view(), name="policy"),
    path("approval-policy/preview/", views.PolicyPreviewView.as_view(), name="policy-preview"),
    path(
        "approval-policy/scheduled/<int:version>/withdraw/",
        views.PolicyWithdrawView.as_view(),
        name="policy-withdraw",
    ),
]

api_urlpatterns = [
    path("approval-policy/", api.ApprovalPolicyView.as_view(), name="api-approval-policy"),
    path(
        "approval-policy/scheduled/<int:version>/",
        api.ScheduledPolicyView.as_view(),
        name="api-approval-policy-scheduled",
    ),
    path(
        "approval-policy/preview/",
        api.ApprovalPolicyPreviewView.as_view(),
        name="api-approval-policy-preview",
    ),
    path("approvals/", api.ApprovalListView.as_view(), name="api-approvals"),
    path("approvals/<int:pk>/", api.ApprovalDetailView.as_view(), name="api-approval-detail"),
    path(
        "approvals/<int:pk>/decisions/",
        api.DecisionCreateView.as_view(),
        name="api-approval-decisions",
    ),
]
