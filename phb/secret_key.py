"""The secret key: a built-in one for development only; with DEBUG off the app will not start on it.

Django signs sessions, CSRF tokens, password-reset and invitation links with SECRET_KEY, so a key
anyone can read in this repository would let anyone forge them. With DEBUG on and no SECRET_KEY
the embedded default uses `DEVELOPMENT_SECRET_KEY`; its "django-insecure-" prefix makes
`check --deploy` warn (security.W009) wherever it is in use. With DEBUG off and no key, SECRET_KEY
is empty: as in Django itself, commands that sign nothing (migrate, makemigrations, collectstatic)
still run, but the web server and the Celery worker refuse to start (`require_secret_key`).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "django-insecure-phb-embedded-development-key-never-use-it-in-production"

REFUSAL = (
    "SECRET_KEY is not set, and with DEBUG off the app will not start on its built-in development "
    "key. Set SECRET_KEY to a long random value, for example the output of "
    '`python -c "import secrets; print(secrets.token_urlsafe(50))"` '
    "(docker-compose.yml asks for it), or set DEBUG=true to develop on the built-in key."
)


def require_secret_key() -> None:
    """Refuse to serve without a key of our own unless DEBUG is on (called as the web server and
    the Celery worker start)."""
    if settings.DEBUG:
        return
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's answer for an empty SECRET_KEY
        key = ""
    if not key or key == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(REFUSAL)
