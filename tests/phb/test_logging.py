"""Each log line is printed once, with DEBUG on or off (phb/settings.py LOGGING)."""

import logging
import logging.config

import pytest
from django.conf import settings
from django.utils.log import DEFAULT_LOGGING, configure_logging


@pytest.fixture
def restore_logging():
    yield
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("name", ["django.request", "django", "phb.services", "celery.worker"])
def test_a_log_line_is_printed_once(restore_logging, capsys, settings, debug, name):
    # As Django does at start-up (its defaults, then ours); the handler opens on capsys's stderr.
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    settings.DEBUG = debug  # Django's require_debug_true filter reads it when the line is logged
    logging.getLogger(name).error("marker-%s-%s", name, debug)
    assert capsys.readouterr().err.count(f"marker-{name}-{debug}") == 1
