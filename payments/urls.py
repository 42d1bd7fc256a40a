"""Pages and API routes of the payments app."""

from django.urls import path

from . import api, broker_api, broker_views, fund_api, fund_views, views

app_name = "payments"

urlpatterns = [
    path("payments/", views.WorklistView.as_view(), name="worklist"),
    path("payments/export/", views.ExportView.as_view(), name="export"),
    path("budgets/", broker_views.BudgetListView.as_view(), name="budgets"),
    path("plans/<int:pk>/account/broker/", broker_views.AccountBrokerView.as_view(), name="account-broker"),
    path("plans/<int:pk>/account/", views.AccountView.as_view(), name="account"),
    path("plans/<int:pk>/account/release/", views.ReleaseCreateView.as_view(), name="release-create"),
    path("plans/<int:pk>/account/refund/", views.RefundCreateView.as_view(), name="refund-create"),
    path("plans/<int:pk>/account/clawback/", views.ClawbackCreateView.as_view(), name="clawback-create"),
    path(
        "plans/<int:pk>/account/correction/", views.CorrectionCreateView.as_view(), name="correction-create"
    ),
    path("plans/<int:pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment-create"),
    path("payments/entries/<int:pk>/receipt/", views.ReceiptDownloadView.as_view(), name="receipt"),
    path("funds/", fund_views.FundListView.as_view(), name="fund-list"),
    path("funds/new/", fund_views.FundCreateView.as_view(), name="fund-create"),
    path("funds/<int:pk>/", fund_views.FundDetailView.as_view(), name="fund-detail"),
    path("funds/<int:pk>/adjust/", fund_views.FundAdjustView.as_view(), name="fund-adjust"),
    path("funds/<int:pk>/close/", fund_views.FundCloseView.as_view(), name="fund-close"),
    path(
        "plans/<int:pk>/account/release-from-fund/",
        fund_views.ReleaseWaitingFromFundView.as_view(),
        name="release-from-fund",
    ),
]

api_urlpatterns = [
    path("plans/<int:pk>/account/", api.AccountView.as_view(), name="api-plan-account"),
    path("plans/<int:pk>/account/release/", api.ReleaseView.as_view(), name="api-plan-release"),
    path("plans/<int:pk>/payments/", api.PaymentView.as_view(), name="api-plan-payments"),
    path("plans/<int:pk>/refunds/", api.RefundView.as_view(), name="api-plan-refunds"),
    path("plans/<int:pk>/clawbacks/", api.ClawbackView.as_view(), name="api-plan-clawbacks"),
    path("plans/<int:pk>/corrections/", api.CorrectionView.as_view(), name="api-plan-corrections"),
    path("payments/", api.PaymentListView.as_view(), name="api-payments"),
    path("payments/<int:pk>/receipt/", api.ReceiptDownloadView.as_view(), name="api-entry-receipt"),
    path("accounts/unfunded/", api.UnfundedListView.as_view(), name="api-accounts-unfunded"),
    path("budgets/", broker_api.BudgetListView.as_view(), name="api-budgets"),
    path("funds/", fund_api.FundListView.as_view(), name="api-funds"),
    path("funds/<int:pk>/", fund_api.FundDetailView.as_view(), name="api-fund-detail"),
    path("funds/<int:pk>/entries/", fund_api.FundEntryListView.as_view(), name="api-fund-entries"),
    path("funds/<int:pk>/close/", fund_api.FundCloseView.as_view(), name="api-fund-close"),
    path(
        "plans/<int:pk>/account/release-from-fund/",
        fund_api.ReleaseWaitingFromFundView.as_view(),
        name="api-plan-release-from-fund",
    ),
]
