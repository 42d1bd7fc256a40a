"""Sign-in through OpenID Connect (mozilla-django-oidc), where configured: NHS CIS2 Authentication for
staff, NHS login for the public (budget holders). Local passwords stay, the embedded default.

Each provider is configured by its own environment variables (phb/settings.py, README
"Configuration"); one that is not configured has no button, no backend and its start page is a 404.
Neither creates accounts: CIS2 signs a member of staff into the account an org admin made for them,
NHS login signs a budget holder into the account their invitation made, both matched by the
verified e-mail address. A CIS2 identity never reaches a budget holder's account, nor NHS login a
member of staff's. Which provider a sign-in began with is kept in the session, so the one callback
asks only that provider's backend.
"""

from django.conf import settings
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from .budget_holders import is_budget_holder
from .models import Membership

CIS2 = "cis2"
NHS_LOGIN = "nhs_login"
LABELS = {CIS2: "Sign in with NHS CIS2 (smartcard or app)", NHS_LOGIN: "Sign in with NHS login"}
SESSION_KEY = "oidc_provider"


def providers() -> dict[str, dict]:
    """The configured providers: code -> their mozilla-django-oidc settings (OIDC_* names)."""
    return getattr(settings, "OIDC_PROVIDERS", {}) or {}


def sign_in_options() -> list[dict]:
    """The buttons the sign-in page shows, one per configured provider."""
    return [{"code": code, "label": LABELS.get(code, code)} for code in providers()]


class ProviderSettings:
    """Reads OIDC_* settings from the provider's own block first, then from Django's settings."""

    provider: str

    def get_settings(self, attr, *args):
        block = providers().get(self.provider, {})
        if attr in block:
            return block[attr]
        return import_from_settings(attr, *args)


class _ProviderBackend(ProviderSettings, OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if request is None or request.session.get(SESSION_KEY) != self.provider:
            return None
        if self.provider not in providers():
            return None
        return super().authenticate(request, **kwargs)

    def filter_users_by_claims(self, claims):
        users = super().filter_users_by_claims(claims).filter(is_active=True)
        return [user for user in users if self.may_sign_in(user)]

    def may_sign_in(self, user) -> bool:
        raise NotImplementedError


class CIS2Backend(_ProviderBackend):
    """NHS CIS2: members of staff (an active membership somewhere, or a superuser)."""

    provider = CIS2

    def may_sign_in(self, user) -> bool:
        return user.is_superuser or Membership.objects.filter(user=user, is_active=True).exists()


class NHSLoginBackend(_ProviderBackend):
    """NHS login: budget holders (the person, their representative or nominee)."""

    provider = NHS_LOGIN

    def may_sign_in(self, user) -> bool:
        return is_budget_holder(user)


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider named in the URL (404 for one not configured)."""

    provider = ""

    def __init__(self, *args, **kwargs):
        # The provider comes from the URL, so mozilla-django-oidc's settings are read in dispatch.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def dispatch(self, request, *args, provider: str = "", **kwargs):
        if provider not in providers():
            raise Http404("This way of signing in is not set up here.")
        self.provider = provider
        self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        request.session[SESSION_KEY] = provider
        return super().dispatch(request, *args, **kwargs)

    def get_settings(self, attr, *args):
        return ProviderSettings.get_settings(self, attr, *args)
