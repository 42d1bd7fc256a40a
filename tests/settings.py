"""Settings of the test run: the product's (phb/settings.py) with the benchmark's tooling installed, since
the data set tests and the query-count suite generate data sets with `manage.py generate_dataset`."""

import os

os.environ["BENCH"] = "true"  # read by phb/settings.py

from phb.settings import *  # noqa: F403
