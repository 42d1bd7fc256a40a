"""The review reminder job through a real Celery worker on Redis, against PostgreSQL (runs in CI).

The worker is a separate process, so it reads the test database only through committed rows
(`transaction=True`) and writes its e-mail with the file backend into a temporary directory.
Running the job twice sends nothing twice.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from phb.constants import Role
from phb.models import SentNotification
from tests.factories import TeamFactory, member
from tests.factories.reviews import OverdueReviewFactory, reviewed_plan

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY = Path(sys.executable).with_name("celery")


def _skip_reason() -> str | None:
    if not REDIS_URL:
        return "needs REDIS_URL (a Redis broker for the worker); CI sets it"
    if connection.vendor != "postgresql":
        return (
            "needs PostgreSQL (the worker process cannot see an in-memory SQLite test database); CI uses it"
        )
    return None


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from phb.celery import app

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL": "false",
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # filemail:// + an absolute path (django-environ drops the first slash of the path).
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "AXES_ENABLED": "false",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            str(CELERY),
            "-A",
            "phb",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            "celery",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    eager_before = app.conf.task_always_eager
    app.conf.task_always_eager = False  # this process only sends; the worker runs the tasks
    try:
        _wait_until_ready(app, process, tmp_path / "worker.log")
        yield {"mail_dir": mail_dir, "app": app}
    finally:
        app.conf.task_always_eager = eager_before
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_ready(app, process, log_path, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited early:\n{log_path.read_text()}")
        replies = app.control.ping(timeout=1)
        if replies:
            return
    pytest.fail(f"The Celery worker did not start within {timeout}s:\n{log_path.read_text()}")


def _mails(mail_dir: Path) -> list[str]:
    return [path.read_text() for path in sorted(mail_dir.glob("*.log"))]


def _wait_for_mail(mail_dir: Path, expected: int, timeout=60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = _mails(mail_dir)
        if sum(text.count("\nSubject: ") for text in mails) >= expected:
            return mails
        time.sleep(0.5)
    return _mails(mail_dir)


def test_reminder_job_on_a_real_worker_sends_each_reminder_once(worker, org):
    from reviews.tasks import send_review_reminders

    team = TeamFactory(organisation=org)
    coordinator = member(org, Role.CARE_COORDINATOR, username="worker_cc", team=team)
    lead = member(org, Role.TEAM_LEAD, username="worker_lead", team=team)
    review = OverdueReviewFactory(plan=reviewed_plan(org, care_coordinator=coordinator))  # 20 days overdue

    assert send_review_reminders.delay().get(timeout=60) == 2

    mails = _wait_for_mail(worker["mail_dir"], expected=2)
    text = "\n".join(mails)
    assert text.count("\nSubject: ") == 2, text
    assert f"To: {coordinator.email}" in text and f"To: {lead.email}" in text
    assert set(SentNotification.objects.values_list("key", "recipient")) == {
        (f"review:{review.pk}:on_due", coordinator.email),
        (f"review:{review.pk}:escalation", lead.email),
    }

    # The second run finds what it recorded and sends nothing more.
    assert send_review_reminders.delay().get(timeout=60) == 0
    time.sleep(2)
    assert "\n".join(_mails(worker["mail_dir"])).count("\nSubject: ") == 2
    assert SentNotification.objects.count() == 2
    deadline = time.monotonic() + 30
    while SentNotification.objects.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not SentNotification.objects.filter(sent_at__isnull=True).exists()
