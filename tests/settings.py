"""Settings of the test run: the product's (phb/settings.py), with

- the benchmark's tooling installed, since the data set tests and the query-count suite generate
  data sets with `manage.py generate_dataset`;
- a secret key of its own: tests run with DEBUG off, as production does, and with DEBUG off the
  product will not start on its built-in key (phb/secret_key.py); it is set in the environment so
  that the processes the suite starts (the Celery worker) have it too;
- on SQLite, a test database in a file rather than Django's default in-memory one, so that the
  concurrency tests run real threads against the same kind of database the embedded default uses.
"""

import os
import tempfile

os.environ["BENCH"] = "true"  # read by phb/settings.py
os.environ.setdefault("SECRET_KEY", "tests-only-key-never-used-outside-the-test-suite-0123456789")

from phb.settings import *  # noqa: F403
from phb.settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"phb-test-{os.getpid()}.sqlite3"),
    }
