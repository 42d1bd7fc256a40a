"""The built-in secret key is for development only: with DEBUG off the app refuses to start on it,
and `check --deploy` warns wherever it (or no key) is in use."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from phb.secret_key import DEVELOPMENT_SECRET_KEY, require_secret_key


def _without_a_key(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**env, **extra}


def _run(*args, **extra):
    return subprocess.run(
        [sys.executable, *args],
        cwd=Path(settings.BASE_DIR),
        env=_without_a_key(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("key", ["", DEVELOPMENT_SECRET_KEY])
def test_with_debug_off_the_built_in_key_or_none_is_refused_with_what_to_do(settings, key):
    settings.DEBUG = False
    settings.SECRET_KEY = key
    with pytest.raises(ImproperlyConfigured, match="Set SECRET_KEY to a long random value"):
        require_secret_key()


def test_with_debug_on_the_built_in_key_is_allowed(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = DEVELOPMENT_SECRET_KEY
    require_secret_key()


def test_with_debug_off_a_key_of_its_own_is_allowed(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-production-secret-key-of-more-than-fifty-characters-0123456789-xyz"
    require_secret_key()


def test_the_web_server_will_not_start_without_a_key_when_debug_is_off():
    result = _run("-c", "import phb.wsgi", DJANGO_SETTINGS_MODULE="phb.settings")
    assert result.returncode != 0
    assert "SECRET_KEY is not set, and with DEBUG off the app will not start" in result.stderr


def test_the_deploy_check_warns_about_the_built_in_key():
    result = _run("manage.py", "check", "--deploy", DEBUG="true")
    assert "security.W009" in result.stdout + result.stderr
