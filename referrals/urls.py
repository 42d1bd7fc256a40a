"""Pages and API routes of the referrals app."""

from django.urls import path

from . import api, views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.ReferralListPage.as_view(), name="list"),
    path("referrals/new/", views.ReferralCreatePage.as_view(), name="create"),
    path("referrals/<int:pk>/", views.ReferralDetailPage.as_view(), name="detail"),
    path("referrals/<int:pk>/accept/", views.ReferralAcceptPage.as_view(), name="accept"),
    path("referrals/<int:pk>/decline/", views.ReferralDeclinePage.as_view(), name="decline"),
    path("referrals/<int:pk>/withdraw/", views.ReferralWithdrawPage.as_view(), name="withdraw"),
    path("referrals/<int:pk>/transfer/", views.ReferralTransferPage.as_view(), name="transfer"),
    path(
        "referrals/<int:pk>/conversations/new/",
        views.ConversationCreatePage.as_view(),
        name="conversation-create",
    ),
    path("caseload/", views.CaseloadPage.as_view(), name="caseload"),
]

api_urlpatterns = [
    path("referrals/", api.ReferralListView.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", api.ReferralDetailView.as_view(), name="api-referral-detail"),
    path("referrals/<int:pk>/accept/", api.ReferralAcceptView.as_view(), name="api-referral-accept"),
    path("referrals/<int:pk>/decline/", api.ReferralDeclineView.as_view(), name="api-referral-decline"),
    path("referrals/<int:pk>/withdraw/", api.ReferralWithdrawView.as_view(), name="api-referral-withdraw"),
    path("referrals/<int:pk>/transfer/", api.ReferralTransferView.as_view(), name="api-referral-transfer"),
    path(
        "referrals/<int:pk>/conversations/",
        api.ReferralConversationsView.as_view(),
        name="api-referral-conversations",
    ),
]
