"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from phb.secret_key import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings")
application = get_wsgi_application()
require_secret_key()
