"""Pages and API routes of the providers app: the org admin's under /o/{org}/, the provider's own."""

from django.urls import path

from . import api, views

app_name = "providers"

urlpatterns = [
    path("suppliers/<int:pk>/users/", views.SupplierLoginsView.as_view(), name="supplier-logins"),
]

api_urlpatterns = [
    path("suppliers/<int:pk>/users/", api.SupplierLoginListView.as_view(), name="api-supplier-logins"),
]

# The provider's own pages and API: no organisation in the address (a login may serve several).
global_urlpatterns = [
    path("provider/", views.ProviderPaymentsView.as_view(), name="provider-home"),
    path("provider/instalments/", views.ProviderInstalmentsView.as_view(), name="provider-instalments"),
    path("api/v1/provider/payments/", api.ProviderPaymentListView.as_view(), name="api-provider-payments"),
    path(
        "api/v1/provider/instalments/",
        api.ProviderInstalmentListView.as_view(),
        name="api-provider-instalments",
    ),
]
