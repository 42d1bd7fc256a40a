"""Pages and API routes of the support_plans app."""

from django.urls import path

from . import allocation_api, allocation_views, api, views

app_name = "support_plans"

urlpatterns = [
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/costs-preview/", views.PlanCostsPreviewView.as_view(), name="plan-costs-preview"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/edit/", views.PlanEditView.as_view(), name="plan-edit"),
    path("plans/<int:pk>/submit/", views.PlanSubmitView.as_view(), name="plan-submit"),
    path("plans/<int:pk>/revise/", views.PlanReviseView.as_view(), name="plan-revise"),
    path("plans/<int:pk>/close/", views.PlanCloseView.as_view(), name="plan-close"),
    path("plans/<int:pk>/fast-track/", views.PlanFastTrackView.as_view(), name="plan-fast-track"),
    path("plans/<int:pk>/pdf/", views.PlanPdfView.as_view(), name="plan-pdf"),
    path("suppliers/", views.SupplierListView.as_view(), name="supplier-list"),
    path("suppliers/search/", views.SupplierSearchView.as_view(), name="supplier-search"),
    path("suppliers/<int:pk>/edit/", views.SupplierEditView.as_view(), name="supplier-edit"),
    path("fast-track/", views.FastTrackListView.as_view(), name="fast-track-list"),
    path("fast-track/<int:pk>/edit/", views.FastTrackOfferEditView.as_view(), name="fast-track-edit"),
    path("allocation/", allocation_views.AllocationView.as_view(), name="allocation"),
    path("allocation/preview/", allocation_views.AllocationPreviewView.as_view(), name="allocation-preview"),
    path(
        "allocation/scheduled/<int:version>/withdraw/",
        allocation_views.AllocationWithdrawView.as_view(),
        name="allocation-withdraw",
    ),
]

api_urlpatterns = [
    path("plans/", api.PlanListView.as_view(), name="api-plans"),
    path("plans/<int:pk>/", api.PlanDetailView.as_view(), name="api-plan-detail"),
    path("plans/<int:pk>/submit/", api.PlanSubmitView.as_view(), name="api-plan-submit"),
    path("plans/<int:pk>/revise/", api.PlanReviseView.as_view(), name="api-plan-revise"),
    path("plans/<int:pk>/close/", api.PlanCloseView.as_view(), name="api-plan-close"),
    path("plans/<int:pk>/pdf/", api.PlanPdfView.as_view(), name="api-plan-pdf"),
    path("plans/<int:pk>/fast-track/", api.PlanFastTrackView.as_view(), name="api-plan-fast-track"),
    path("suppliers/", api.SupplierListView.as_view(), name="api-suppliers"),
    path("suppliers/<int:pk>/", api.SupplierDetailView.as_view(), name="api-supplier-detail"),
    path("fast-track-offers/", api.FastTrackOfferListView.as_view(), name="api-fast-track-offers"),
    path(
        "fast-track-offers/<int:pk>/",
        api.FastTrackOfferDetailView.as_view(),
        name="api-fast-track-offer-detail",
    ),
    path("allocation/", allocation_api.AllocationView.as_view(), name="api-allocation"),
    path("allocation/estimate/", allocation_api.EstimateView.as_view(), name="api-allocation-estimate"),
    path(
        "allocation/scheduled/<int:version>/",
        allocation_api.ScheduledQuestionnaireView.as_view(),
        name="api-allocation-scheduled",
    ),
]
