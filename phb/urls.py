"""Root URL configuration: pages under /o/{org}/, the API under /api/v1/, schema and docs."""

from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

import approvals.urls
import holders.urls
import imports.urls
import payments.urls
import providers.urls
import referrals.urls
import reporting.urls
import reviews.urls
import support_plans.urls

from . import api, health, holder_views, notification_views, oidc, staff_api, staff_views, views

PATHWAY_APPS = [
    referrals.urls,
    support_plans.urls,
    approvals.urls,
    payments.urls,
    providers.urls,
    reviews.urls,
    imports.urls,
    reporting.urls,
]

org_api = [
    path("", api.OrganisationDetailView.as_view(), name="api-org-detail"),
    path("members/", api.MemberListView.as_view(), name="api-members"),
    path("members/<int:pk>/", staff_api.MemberDetailView.as_view(), name="api-member-detail"),
    path("invitations/", staff_api.InvitationListView.as_view(), name="api-invitations"),
    path("people/", api.PersonListView.as_view(), name="api-people"),
    path("people/<int:pk>/", api.PersonDetailView.as_view(), name="api-person-detail"),
    path(
        "people/<int:pk>/invitations/",
        staff_api.HolderInvitationCreateView.as_view(),
        name="api-person-invitations",
    ),
    path("notifications/", notification_views.NotificationListAPI.as_view(), name="api-notifications"),
    path(
        "notifications/read/", notification_views.NotificationReadAPI.as_view(), name="api-notifications-read"
    ),
]
for module in PATHWAY_APPS:
    org_api += module.api_urlpatterns

org_pages = [
    path("", views.OrgHomeView.as_view(), name="org-home"),
    path("notifications/", notification_views.NotificationListPage.as_view(), name="notifications"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/new/", views.PersonCreateView.as_view(), name="person-create"),
    path("people/pick/", views.PersonPickView.as_view(), name="person-pick"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("people/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person-edit"),
    path("people/<int:pk>/invite/", holder_views.HolderInviteView.as_view(), name="person-invite"),
    path("staff/", views.StaffListView.as_view(), name="staff-list"),
    path("staff/new/", views.StaffCreateView.as_view(), name="staff-create"),
    path("staff/invite/", staff_views.StaffInviteView.as_view(), name="staff-invite"),
    path("staff/<int:pk>/", views.StaffUpdateView.as_view(), name="staff-edit"),
    path("teams/", views.TeamListView.as_view(), name="team-list"),
    path("settings/", views.OrganisationSettingsView.as_view(), name="org-settings"),
    path("access-log/", views.AccessLogView.as_view(), name="access-log"),
]
for module in PATHWAY_APPS:
    org_pages.append(path("", include((module.urlpatterns, module.app_name))))

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("oidc/callback/", OIDCAuthenticationCallbackView.as_view(), name="oidc-callback"),
    path("oidc/<str:provider>/start/", oidc.StartView.as_view(), name="oidc-start"),
    path("invitations/<str:token>/", staff_views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="org-create"),
    path("o/<str:org>/", include(org_pages)),
    path("api/v1/auth/token/", api.TokenView.as_view(), name="api-token"),
    path(
        "api/v1/invitations/<str:token>/accept/",
        staff_api.InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
    path("api/v1/orgs/", api.OrganisationListView.as_view(), name="api-orgs"),
    path("api/v1/orgs/<str:org>/", include(org_api)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="phb/swagger_ui.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("health/", include(health.urlpatterns)),
]
for module in PATHWAY_APPS:
    urlpatterns += getattr(module, "global_urlpatterns", [])
# The budget holder's own pages and API: outside every organisation, for accounts that work nowhere.
urlpatterns += holders.urls.urlpatterns
if apps.is_installed("bench"):  # the benchmark's tooling, only when BENCH is on (phb/settings.py)
    urlpatterns.append(path("bench/", include("bench.urls")))

# Under /api/ an unknown address, a request Django refuses or a server error answers JSON, as every
# other API answer does.
handler400 = "phb.errors.bad_request"
handler404 = "phb.errors.not_found"
handler500 = "phb.errors.server_error"
