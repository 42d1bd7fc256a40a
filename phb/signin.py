"""Sign-in throttling (django-axes): a username is locked out only from the address that failed, and
an address that fails for many usernames (password spraying) is slowed down.

Locking out a username wherever it signs in from would let anyone lock out a known colleague on
purpose; locking out an address after a handful of failures would lock out a whole trust behind one
NAT address because of one person's typing. So axes counts failures per username and address
together (`AXES_LOCKOUT_PARAMETERS`), and this handler adds a second, higher limit: failures from one
address across every username (`AXES_ADDRESS_FAILURE_LIMIT`) within the same cool-off.
Successful sign-ins and API tokens are never counted.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(ip_address: str | None, request=None) -> int:
    """Failed sign-ins from this address, whatever the username, within the cool-off."""
    if not ip_address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    if settings.AXES_COOLOFF_TIME is not None and request is not None:
        attempts = attempts.filter(attempt_time__gt=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _address_locked(request) -> bool:
    ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return address_failures(ip_address, request) >= settings.AXES_ADDRESS_FAILURE_LIMIT


class SignInHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or _address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes flags the request for its lock-out page only for its own limit; flag the address's too.
        if request is not None and not request.axes_locked_out and _address_locked(request):
            request.axes_locked_out = True
