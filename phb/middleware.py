"""Session timeout after inactivity, without writing the session on every request."""

import time

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
