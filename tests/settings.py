"""Settings of the test suite: the product's own, with a key of its own and SQLite in a file.

Tests run with DEBUG off, as production does, and with DEBUG off the product refuses to start on
its built-in key; so the suite brings a key (set in the environment, so that the processes it
starts, such as the Celery worker, have it too). On SQLite the test database is a file rather
than Django's default in-memory one, so that the concurrency tests run real threads against the
same kind of database the embedded default uses.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-key-never-used-outside-the-test-suite-0123456789")

from phb.settings import *  # noqa: F403
from phb.settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"phb-test-{os.getpid()}.sqlite3"),
    }
