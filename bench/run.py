"""Load generator of `make bench`: latency per page and endpoint, queries per request, SQL floors.

Run by scripts/bench.sh against gunicorn on loopback (BENCH_URL) and the same PostgreSQL database
(DATABASE_URL). For each endpoint: a warm-up, then BENCH_REQUESTS requests from BENCH_CONCURRENCY
threads, each with its own keep-alive connection; median and p95 of the wall-clock time of each
request. Queries per request are counted separately, in-process, with Django's test client and
CaptureQueriesContext. The dashboard and the quarterly return are also compared with hand-written
SQL computing the same figures (bench/floors.py), run directly with psycopg: the floor.
"""

import json
import os
import statistics
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import django
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phb.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from bench import floors  # noqa: E402
from phb.models import Organisation  # noqa: E402
from reporting import live  # noqa: E402
from reporting.quarters import quarter_containing  # noqa: E402

BASE = os.environ.get("BENCH_URL", "http://127.0.0.1:8765").rstrip("/")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "20"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
NATIONAL_ROUNDS = int(os.environ.get("BENCH_NATIONAL_ROUNDS", "5"))
# Optional cap on the measured phase of one endpoint (seconds; 0: none): a slow endpoint then gets
# fewer than BENCH_REQUESTS requests, and the table says how many.
MAX_SECONDS = float(os.environ.get("BENCH_MAX_SECONDS", "0"))
# The mixed workload: how long it runs, and the writer's pace (one audited write per interval).
MIXED_SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", "60"))
MIXED_WRITE_EVERY = float(os.environ.get("BENCH_MIXED_WRITE_EVERY", "1.0"))
# As production's beat does (reporting.tasks.fold_live_figures): the deltas folded every minute.
MIXED_FOLD_EVERY = float(os.environ.get("BENCH_MIXED_FOLD_EVERY", "60"))
RESULTS = ROOT / "bench" / "results"
User = get_user_model()


@dataclass
class Result:
    name: str
    path: str
    target_ms: float | None
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    queries_note: str = ""
    floor_ms: float | None = None
    ratio: float | None = None
    ratio_target: float | None = None
    note: str = ""

    @property
    def passed(self) -> bool | None:
        if self.p95_ms is None:
            return None
        ok = self.target_ms is None or self.p95_ms <= self.target_ms
        if self.ratio is not None and self.ratio_target is not None:
            ok = ok and self.ratio <= self.ratio_target
        return ok and self.errors == 0


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _url(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def payable_plans(rows, payments):
    """Plans that can take `payments` payments of £1.00 between them without an overspend.

    rows: (plan id, approved - paid), most headroom first. Spread over the most plans whose headroom
    covers their share."""
    for count in range(len(rows), 0, -1):
        if rows[count - 1][1] >= -(-payments // count):
            return [plan_id for plan_id, _headroom in rows[:count]]
    return []


def share(available, warmup=WARMUP, requests_=REQUESTS):
    """(warm-up, measured) requests from `available` one-shot items (pending sign-offs): all that are
    wanted if there are enough, otherwise a tenth to warm up and the rest measured."""
    if available >= warmup + requests_ + 1:
        return warmup, requests_
    warm = min(warmup, available // 10)
    return warm, max(0, available - warm - 1)


class Bench:
    def __init__(self):
        self.org = Organisation.objects.order_by("id").first()
        if self.org is None:
            raise SystemExit("No organisations: run manage.py generate_dataset first.")
        self.code = self.org.code
        self.user = User.objects.get(username=f"bench_{self.code.lower()}")
        self.token = AuthToken.objects.create(user=self.user)[1]
        self.session = self._session_cookie(self.user)
        self.today = date.today()
        self.results: list[Result] = []
        # Ids that exist in the benchmark organisation at any size of data set (never a guessed id 1).
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id FROM phb_person WHERE organisation_id = %s ORDER BY id LIMIT 2000", [self.org.id]
            )
            self.people = [r[0] for r in cur.fetchall()]
            cur.execute(
                "SELECT id FROM support_plans_supportplan WHERE organisation_id = %s ORDER BY id LIMIT 2000",
                [self.org.id],
            )
            self.plans = [r[0] for r in cur.fetchall()]

    def payment_target(self):
        """(organisation code, API token, plan ids) for the payments: the benchmark organisation's
        active plans with money left; on a small data set, whose first organisation holds only the
        plans waiting for sign-off, the next organisation that has such plans (its own bench user)."""
        needed = WARMUP + REQUESTS + 1
        for org_id, code in Organisation.objects.order_by("id").values_list("id", "code"):
            with connection.cursor() as cur:
                cur.execute(
                    """SELECT p.id, a.approved - a.paid FROM support_plans_supportplan p
                    JOIN payments_budgetaccount a ON a.plan_id = p.id
                    WHERE p.organisation_id = %s AND p.status = 'active' AND a.closed_on IS NULL
                      AND a.approved - a.paid >= 1 ORDER BY a.approved - a.paid DESC, p.id LIMIT 2000""",
                    [org_id],
                )
                plans = payable_plans(cur.fetchall(), needed)
            user = User.objects.filter(username=f"bench_{code.lower()}").first()
            if plans and user:
                token = self.token if user == self.user else AuthToken.objects.create(user=user)[1]
                return code, token, plans
        return None, None, []

    def _session_cookie(self, user):
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    # --- load

    def headers(self, api: bool | None):
        if api is None:  # anonymous: no token, no session
            return {}
        if api:
            return {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        return {"Cookie": f"sessionid={self.session}"}

    def load(self, name, target_ms, make_request, api=True, n=REQUESTS, warmup=WARMUP, expect=(200,)):
        """make_request(i) -> (method, path, json body or None, extra headers)."""
        example = make_request(0)[1]
        result = Result(name=name, path=example, target_ms=target_ms)
        counter = {"next": 0}
        lock = threading.Lock()
        timings: list[float] = []
        statuses: dict[int, int] = {}

        def take():
            with lock:
                i = counter["next"]
                counter["next"] += 1
                return i

        def worker(limit, record, deadline):
            session = requests.Session()
            while True:
                if deadline and time.monotonic() > deadline:
                    break
                i = take()
                if i >= limit:
                    break
                method, path, body, extra = make_request(i)
                headers = {**self.headers(api), **(extra or {})}
                started = time.perf_counter()
                try:
                    response = session.request(method, BASE + path, json=body, headers=headers, timeout=120)
                    status = response.status_code
                    response.content  # noqa: B018  (read the whole body)
                except requests.RequestException:
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                if record:
                    with lock:
                        timings.append(elapsed)
                        statuses[status] = statuses.get(status, 0) + 1
            session.close()

        for first, limit, record in ((0, warmup, False), (warmup, warmup + n, True)):
            counter["next"] = first
            deadline = time.monotonic() + MAX_SECONDS if MAX_SECONDS and record else None
            threads = [
                threading.Thread(target=worker, args=(limit, record, deadline)) for _ in range(CONCURRENCY)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        result.requests = len(timings)
        result.statuses = {str(k): v for k, v in sorted(statuses.items())}
        result.errors = sum(v for k, v in statuses.items() if k not in expect)
        if timings:
            result.median_ms = round(statistics.median(timings), 1)
            result.p95_ms = round(percentile(timings, 0.95), 1)
        self.results.append(result)
        return result

    # --- queries per request, in-process

    def count_queries(self, result, method, path, body=None, api=True, extra=None):
        client = Client()
        kwargs = {}
        if api:
            kwargs["HTTP_AUTHORIZATION"] = f"Token {self.token}"
        elif api is not None:
            client.force_login(self.user)
        for key, value in (extra or {}).items():
            kwargs["HTTP_" + key.upper().replace("-", "_")] = value
        with CaptureQueriesContext(connection) as captured:
            if method == "GET":
                response = client.get(path, **kwargs)
            else:
                response = client.post(path, data=json.dumps(body), content_type="application/json", **kwargs)
        result.queries = len(captured.captured_queries)
        if response.status_code >= 400:
            result.queries_note = f"in-process status {response.status_code}"

    def missing(self, name, target_ms, why):
        result = Result(name=name, path="", target_ms=target_ms, note=f"missing: {why}")
        self.results.append(result)
        print(f"  {name}: {result.note}")
        return result

    # --- the endpoints

    def run(self):
        code = self.code
        api = f"/api/v1/orgs/{code}"
        people, plans = self.people, self.plans
        print(f"Benchmark on {BASE}: organisation {code}, user {self.user.username}, "
              f"{REQUESTS} requests per endpoint after {WARMUP} warm-up, concurrency {CONCURRENCY}")  # fmt: skip

        r = self.load(
            "framework floor (bare JSON view)",
            None,
            lambda i: ("GET", "/bench/floor/", None, None),
            api=None,
        )
        self.count_queries(r, "GET", "/bench/floor/", api=None)

        caseload = _url("referrals:caseload", org=code)
        if caseload:
            r = self.load("caseload page", 50, lambda i: ("GET", caseload, None, None), api=False)
            self.count_queries(r, "GET", caseload, api=False)
        else:
            self.missing("caseload page", 50, "referrals:caseload")

        self.person_record(code, api, people)
        self.plan_detail(code, api, plans)

        queue_api = f"{api}/approvals/?status=pending&mine=true"
        r = self.load("approval queue (API, mine)", 100, lambda i: ("GET", queue_api, None, None))
        self.count_queries(r, "GET", queue_api)
        queue = _url("approvals:queue", org=code)
        if queue:
            r = self.load("approval queue (page)", 100, lambda i: ("GET", queue, None, None), api=False)
            self.count_queries(r, "GET", queue, api=False)
        else:
            self.missing("approval queue (page)", 100, "approvals:queue")

        self.decisions(api)
        self.payments()

        dashboard = f"{api}/dashboard/"
        r = self.load("dashboard (API)", 100, lambda i: ("GET", dashboard, None, None))
        self.count_queries(r, "GET", dashboard)
        self.floor(r, lambda: floors.dashboard(self.org.id, self.today))
        dashboard_page = _url("reporting:dashboard", org=code)
        if dashboard_page:
            r = self.load("dashboard (page)", 100, lambda i: ("GET", dashboard_page, None, None), api=False)
            self.count_queries(r, "GET", dashboard_page, api=False)

        quarter = floors.last_complete_quarter(self.today)
        ret = f"{api}/returns/phb/?quarter={quarter}&format=json"
        r = self.load(
            f"quarterly return, one organisation ({quarter})", 100, lambda i: ("GET", ret, None, None)
        )
        self.count_queries(r, "GET", ret)
        self.floor(r, lambda: floors.quarterly_return([self.org.id], quarter))
        self.national(quarter)
        self.mixed(quarter)
        self.upkeep()
        self.print_and_save()

    def person_record(self, code, api, people):
        if not people:
            self.missing("person record (API)", 100, f"no people in {code}")
            return

        def person_api(i):
            return ("GET", f"{api}/people/{people[i % len(people)]}/", None, None)

        r = self.load("person record (API)", 100, person_api)
        self.count_queries(r, "GET", person_api(REQUESTS + 1)[1])

        def person_page(i):
            path = reverse("person-detail", kwargs={"org": code, "pk": people[i % len(people)]})
            return ("GET", path, None, None)

        r = self.load("person record (page)", 100, person_page, api=False)
        self.count_queries(r, "GET", person_page(REQUESTS + 2)[1], api=False)

    def plan_detail(self, code, api, plans):
        if not plans:
            self.missing("plan detail (API)", 50, f"no support plans in {code}")
            return

        def plan_api(i):
            return ("GET", f"{api}/plans/{plans[i % len(plans)]}/", None, None)

        r = self.load("plan detail (API)", 50, plan_api)
        self.count_queries(r, "GET", plan_api(REQUESTS + 3)[1])

        def plan_page(i):
            path = reverse("support_plans:plan-detail", kwargs={"org": code, "pk": plans[i % len(plans)]})
            return ("GET", path, None, None)

        r = self.load("plan detail (page)", 100, plan_page, api=False)
        self.count_queries(r, "GET", plan_page(REQUESTS + 4)[1], api=False)

    def decisions(self, api):
        name, target = "record a decision (POST)", 50
        pending = floors.pending_requests_for(self.org.id, self.user.id, WARMUP + REQUESTS + 1)
        # Each sign-off is recorded once; a small or much-benchmarked data set has fewer than asked
        # for, and then all of them are used (the table gives the count).
        warmup, n = share(len(pending))
        if n < 10:
            self.missing(
                name,
                target,
                f"only {len(pending)} pending requests left for {self.user.username}; regenerate the data set "
                "(BENCH_REGENERATE=1 make bench)",
            )
            return
        probe_id, probe_role = pending.pop()

        def decide(i):
            request_id, role = pending[i]
            body = {"decision": "approve", "role": role, "comment": "Agreed (benchmark)"}
            return ("POST", f"{api}/approvals/{request_id}/decisions/", body, None)

        r = self.load(name, target, decide, n=n, warmup=warmup, expect=(201,))
        if n < REQUESTS:
            r.note = f"{len(pending) + 1} pending requests were left"
        body = {"decision": "approve", "role": probe_role, "comment": "Agreed (benchmark)"}
        self.count_queries(r, "POST", f"{api}/approvals/{probe_id}/decisions/", body)

    def payments(self):
        name = "record a payment (POST)"
        code, token, plans = self.payment_target()
        if not plans:
            self.missing(name, 50, "no active plan with funds left to pay in any organisation")
            return
        if code != self.code:
            name = f"record a payment (POST, {code})"
        api = f"/api/v1/orgs/{code}"
        run = uuid.uuid4().hex[:8]
        today = self.today.isoformat()

        def pay(i):
            body = {
                "amount": "1.00",
                "paid_on": today,
                "method": "bank_transfer",
                "payee": "Benchmark Care Ltd",
                "reference": f"B{run}{i}",
            }
            return (
                "POST",
                f"{api}/plans/{plans[i % len(plans)]}/payments/",
                body,
                {"Idempotency-Key": f"bench-{run}-{i}", "Authorization": f"Token {token}"},
            )

        r = self.load(name, 50, pay, expect=(201,))
        method, path, body, extra = pay(10**6)
        self.count_queries(r, method, path, body, extra=extra)

    def floor(self, result, run_sql, rounds=20):
        timings = []
        for _ in range(3):
            run_sql()
        for _ in range(rounds):
            started = time.perf_counter()
            run_sql()
            timings.append((time.perf_counter() - started) * 1000)
        result.floor_ms = round(statistics.median(timings), 1)
        if result.median_ms:
            result.ratio = round(result.median_ms / result.floor_ms, 2)
        result.ratio_target = 1.5

    def national(self, quarter):
        """All 42 returns: each organisation's bench user asks for its return in turn (one thread);
        the figure is the time for the whole round, over BENCH_NATIONAL_ROUNDS rounds."""
        orgs = list(Organisation.objects.order_by("id").values_list("id", "code"))
        tokens = {}
        for _org_id, code in orgs:
            user = User.objects.filter(username=f"bench_{code.lower()}").first()
            if user:
                tokens[code] = AuthToken.objects.create(user=user)[1]
        result = Result(
            name=f"quarterly return, all {len(orgs)} organisations",
            path="/api/v1/orgs/*/returns/phb/",
            target_ms=2000,
        )
        session = requests.Session()
        rounds, statuses = [], {}
        for round_index in range(NATIONAL_ROUNDS + 1):
            started = time.perf_counter()
            for _org_id, code in orgs:
                response = session.get(
                    f"{BASE}/api/v1/orgs/{code}/returns/phb/?quarter={quarter}&format=json",
                    headers={"Authorization": f"Token {tokens.get(code, '')}"},
                    timeout=300,
                )
                if round_index:
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if round_index:  # the first round warms up
                rounds.append((time.perf_counter() - started) * 1000)
        result.requests = sum(statuses.values())
        result.statuses = {str(k): v for k, v in statuses.items()}
        result.errors = sum(v for k, v in statuses.items() if k != 200)
        result.median_ms = round(statistics.median(rounds), 1)
        result.p95_ms = round(max(rounds), 1)
        result.note = (
            f"{len(orgs)} sequential requests per round, {NATIONAL_ROUNDS} rounds; p95 = slowest round"
        )
        self.floor(result, lambda: floors.quarterly_return([o for o, _c in orgs], quarter), rounds=5)
        self.results.append(result)
        self.national_in_process(quarter, orgs)

    def national_in_process(self, quarter, orgs):
        """The quarterly job's work without HTTP: reporting.returns.return_figures for every organisation."""
        name = f"quarterly return, all {len(orgs)} (in-process, the job's figures)"
        try:
            from reporting.returns import return_figures
            from reporting.services import quarter_from
        except ImportError as error:
            self.missing(name, 2000, str(error))
            return
        organisations = list(Organisation.objects.order_by("id"))
        parsed = quarter_from(quarter)
        rounds = []
        for round_index in range(NATIONAL_ROUNDS + 1):
            started = time.perf_counter()
            for organisation in organisations:
                return_figures(organisation, parsed, self.today)
            if round_index:
                rounds.append((time.perf_counter() - started) * 1000)
        result = Result(name=name, path="reporting.returns.return_figures x 42", target_ms=2000)
        result.requests = len(rounds)
        result.median_ms = round(statistics.median(rounds), 1)
        result.p95_ms = round(max(rounds), 1)
        result.note = "one process, no HTTP, no history rows; p95 = slowest round"
        self.floor(result, lambda: floors.quarterly_return([o.id for o in organisations], quarter), rounds=5)
        self.results.append(result)

    # --- the mixed workload (issue 19): reads while the organisation is being written to

    def mixed(self, quarter):
        """A writer records one payment a second in the benchmark organisation (each an audited
        write, so each empties the report cache) while a reader fetches the dashboard API, the
        dashboard page and the return in turn, for BENCH_MIXED_SECONDS. Each is reported with its
        median, p95 and the ratio of its median to the framework floor measured in this run."""
        code, token, plans = self.payment_target()
        floor_result = next((r for r in self.results if r.name.startswith("framework floor")), None)
        framework_floor = floor_result.median_ms if floor_result else None
        current = str(quarter_containing(self.today))
        api = f"/api/v1/orgs/{self.code}"
        readers = [
            ("dashboard (API)", 50, f"{api}/dashboard/", True),
            ("dashboard (page)", 100, _url("reporting:dashboard", org=self.code), False),
            (f"return, quarter in progress ({current})", 50, f"{api}/returns/phb/?quarter={current}", True),
            # A past quarter is counted afresh by design (issue 19): reported, with no target.
            (
                f"return, last quarter ({quarter}, recount)",
                None,
                f"{api}/returns/phb/?quarter={quarter}",
                True,
            ),
        ]
        timings: dict[str, list[float]] = {name: [] for name, *_rest in readers}
        statuses: dict[str, dict[int, int]] = {name: {} for name, *_rest in readers}
        writes: list[float] = []
        write_statuses: dict[int, int] = {}
        stop = threading.Event()
        run = uuid.uuid4().hex[:8]
        writer_note = f"payments in {code}" if code else "no payable plan: no writer"

        def writer():
            session = requests.Session()
            i = 0
            while plans and not stop.is_set():
                started = time.perf_counter()
                body = {
                    "amount": "1.00",
                    "paid_on": self.today.isoformat(),
                    "method": "bank_transfer",
                    "payee": "Benchmark Care Ltd",
                    "reference": f"M{run}{i}",
                }
                headers = {"Authorization": f"Token {token}", "Idempotency-Key": f"mixed-{run}-{i}"}
                try:
                    status = session.post(
                        f"{BASE}/api/v1/orgs/{code}/plans/{plans[i % len(plans)]}/payments/",
                        json=body,
                        headers={**headers, "Accept": "application/json"},
                        timeout=120,
                    ).status_code
                except requests.RequestException:
                    status = 0
                elapsed = time.perf_counter() - started
                writes.append(elapsed * 1000)
                write_statuses[status] = write_statuses.get(status, 0) + 1
                i += 1
                stop.wait(max(0.0, MIXED_WRITE_EVERY - elapsed))
            session.close()

        def reader():
            session = requests.Session()
            deadline = time.monotonic() + MIXED_SECONDS
            while time.monotonic() < deadline:
                for name, _target, path, api_call in readers:
                    if not path:
                        continue
                    started = time.perf_counter()
                    try:
                        status = session.get(
                            BASE + path, headers=self.headers(api_call), timeout=120
                        ).status_code
                    except requests.RequestException:
                        status = 0
                    timings[name].append((time.perf_counter() - started) * 1000)
                    statuses[name][status] = statuses[name].get(status, 0) + 1
                    time.sleep(0.2)
            session.close()

        folds: list[float] = []

        def folder():
            # The live figures' fold job, in its own connection, as the Celery beat runs it.
            while not stop.wait(MIXED_FOLD_EVERY):
                started = time.perf_counter()
                live.fold_all()
                folds.append((time.perf_counter() - started) * 1000)
            connection.close()

        print(
            f"  mixed workload: {MIXED_SECONDS:g} s, {writer_note}, one write per {MIXED_WRITE_EVERY:g} s, "
            f"the live figures folded every {MIXED_FOLD_EVERY:g} s"
        )
        threads = [
            threading.Thread(target=writer),
            threading.Thread(target=reader),
            threading.Thread(target=folder),
        ]
        for t in threads:
            t.start()
        threads[1].join()
        stop.set()
        threads[0].join()
        threads[2].join()

        def add(name, target, values, status_counts, expect):
            result = Result(name=f"mixed: {name}", path="", target_ms=target)
            result.requests = len(values)
            result.statuses = {str(k): v for k, v in sorted(status_counts.items())}
            result.errors = sum(v for k, v in status_counts.items() if k not in expect)
            if values:
                result.median_ms = round(statistics.median(values), 1)
                result.p95_ms = round(percentile(values, 0.95), 1)
                if framework_floor:
                    result.floor_ms = framework_floor
                    result.ratio = round(result.median_ms / framework_floor, 1)
            result.note = "floor = the framework floor (bare JSON view) of this run"
            self.results.append(result)

        for name, target, path, _api_call in readers:
            if path:
                add(name, target, timings[name], statuses[name], (200,))
        add(f"record a payment (POST, {writer_note})", 50, writes, write_statuses, (201,))
        fold = Result(
            name="mixed: live figures folded (every organisation, in-process)", path="", target_ms=None
        )
        fold.requests = len(folds)
        if folds:
            fold.median_ms = round(statistics.median(folds), 1)
            fold.p95_ms = round(percentile(folds, 0.95), 1)
        self.results.append(fold)

    def upkeep(self, people=200):
        """The live figures' upkeep per write, in-process: recounting one person's part of the
        summaries (what every audited change does in its transaction), rolled back."""
        timings = []
        for person_id in self.people[:people]:
            with transaction.atomic():
                started = time.perf_counter()
                live.refresh_people(self.org.id, [person_id])
                timings.append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)
        reads = []
        for _ in range(50):
            started = time.perf_counter()
            live.read(self.org.id, self.today)
            reads.append((time.perf_counter() - started) * 1000)
        for name, values in (
            ("live figures: upkeep per write (one person recounted, in-process)", timings),
            ("live figures: one read of every counter (in-process)", reads),
        ):
            result = Result(name=name, path="reporting.live", target_ms=None, requests=len(values))
            if values:
                result.median_ms = round(statistics.median(values), 2)
                result.p95_ms = round(percentile(values, 0.95), 2)
            self.results.append(result)

    # --- report

    def print_and_save(self):
        with connection.cursor() as cur:
            cur.execute("SELECT people, orgs, seed, as_of, seconds FROM phb_generated_dataset WHERE id = 1")
            marker = cur.fetchone()
            cur.execute("SELECT version()")
            pg = cur.fetchone()[0].split(" on ")[0]
        meta = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "people": marker[0] if marker else None,
            "organisations": marker[1] if marker else None,
            "seed": marker[2] if marker else None,
            "as_of": str(marker[3]) if marker else None,
            "generation_seconds": round(marker[4], 1) if marker and marker[4] else None,
            "postgresql": pg,
            "cpus": os.cpu_count(),
            "concurrency": CONCURRENCY,
            "requests_per_endpoint": REQUESTS,
            "gunicorn": os.environ.get("BENCH_GUNICORN", ""),
        }
        lines = [
            f"People {meta['people']:,} in {meta['organisations']} organisations (seed {meta['seed']}), "
            f"{meta['postgresql']}, {meta['cpus']} CPUs, concurrency {CONCURRENCY}, {meta['gunicorn']}",
            "",
            "| endpoint | median ms | p95 ms | queries | SQL floor ms | ratio | target | pass |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for r in self.results:
            target = f"p95 < {r.target_ms:g} ms" if r.target_ms else ""
            if r.ratio_target:
                target += f", <= {r.ratio_target}x floor"
            verdict = {True: "pass", False: "FAIL", None: "n/a"}[r.passed]
            if r.errors:
                verdict += f" ({r.errors} errors: {r.statuses})"
            if r.note.startswith("missing"):
                verdict = r.note
            elif r.requests and r.requests < REQUESTS and "round" not in r.note:
                verdict += f" ({r.requests} requests)"
            lines.append(
                f"| {r.name} | {r.median_ms if r.median_ms is not None else ''} | "
                f"{r.p95_ms if r.p95_ms is not None else ''} | {r.queries if r.queries is not None else ''} | "
                f"{r.floor_ms if r.floor_ms is not None else ''} | {r.ratio if r.ratio is not None else ''} | "
                f"{target} | {verdict} |"
            )
        table = "\n".join(lines)
        print()
        print(table)
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        payload = {"meta": meta, "results": [{**asdict(r), "passed": r.passed} for r in self.results]}
        # Both git-ignored (bench/results/.gitignore): a run never changes a tracked file. The table
        # quoted in the README and bench/README.md is copied from one of these by hand.
        path = RESULTS / f"{stamp}-{meta['people']}.json"
        path.write_text(json.dumps(payload, indent=2, default=str))
        summary = path.with_suffix(".md")
        summary.write_text(f"# Benchmark, {meta['at']}\n\n{table}\n")
        print(f"\nWritten {path.relative_to(ROOT)} and {summary.relative_to(ROOT)}")


if __name__ == "__main__":
    Bench().run()
