"""Session timeout after inactivity, without writing the session on every request; nothing a signed-in
user sees is kept by a browser or proxy cache."""

import time

from django.utils.cache import add_never_cache_headers

# Refresh the session's expiry at most this often; the 30-minute timeout is kept to the minute.
REFRESH_EVERY_SECONDS = 60


class SlidingSessionMiddleware:
    """Marks the session for saving (which renews its expiry) once a minute of activity, instead of
    Django's SESSION_SAVE_EVERY_REQUEST write on every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get("_refreshed", 0) >= REFRESH_EVERY_SECONDS:
                session["_refreshed"] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page of a signed-in user and every API answer: a shared NHS
    workstation's back button or a proxy must not show a person's record to the next user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # DRF sets request.user from a token during the view, so token requests count as signed in.
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or getattr(user, "is_authenticated", False):
            add_never_cache_headers(response)
        return response
