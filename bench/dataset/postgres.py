"""The national data set generated on the PostgreSQL server: INSERT ... SELECT FROM generate_series.

Every pseudo-random value is `hashint8extended(row key, seed * 1000 + stream)`, so the output
depends only on the seed, the sizes and the as-of date, never on plans, parallelism or timing.
Ids are assigned arithmetically (person i has referral i and budget i; plan = person * 3 + slot;
ledger entry = account * 20 + slot, ...), so child rows never look their parents up.

Foreign keys are not checked row by row while loading (session_replication_role = replica,
when the role may set it): the rows are built consistent, and the tests check them.
"""

# The SQL below is assembled from integers, dates and constants of bench/dataset/spec.py only
# (never from user input), so string formatting is safe here.
# ruff: noqa: S608

import json
import threading
import time
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models

from . import spec

APP_LABELS = ("phb", "referrals", "support_plans", "approvals", "payments", "reviews", "reporting")
MARKER = "phb_generated_dataset"
# Staging tables (UNLOGGED, dropped at the end): visible to the parallel worker sessions.
STAGING = ("g_org", "g_tpl", "g_tier", "g_sup", "g_staff", "g_p", "g_p2", "g_v", "g_item", "g_cost", "g_v2",
           "g_v3", "g_acc", "g_led", "g_entry", "g_rev")  # fmt: skip


def _pick(u: str, choices) -> str:
    """CASE expression choosing a value by cumulative weight for a uniform [0, 1) expression."""
    total = sum(w for _v, w in choices)
    parts, acc = [], 0
    for value, weight in choices[:-1]:
        acc += weight
        parts.append(f"WHEN {u} < {acc / total:.6f} THEN '{value}'")
    return f"(CASE {' '.join(parts)} ELSE '{choices[-1][0]}' END)"


def _case(column: str, mapping: dict, default="NULL") -> str:
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in mapping.items())
    return f"(CASE {column} {whens} ELSE {default} END)"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Generator:
    def __init__(
        self,
        *,
        orgs: int,
        people: int,
        seed: int,
        as_of: date,
        bench_pending: int,
        out=None,
        workers: int = 2,
    ):
        self.orgs = spec.layout(orgs, people)
        self.n_orgs, self.people, self.seed, self.as_of = orgs, people, seed, as_of
        self.bench_pending = bench_pending
        self.out = out or (lambda line: None)
        self.timings: list[tuple[str, float, int]] = []
        self.A = f"DATE '{as_of.isoformat()}'"
        self.workers = workers
        self.deferred: list | None = None
        self.lock = threading.Lock()

    # --- plumbing

    def r(self, key: str, stream: int) -> str:
        return f"pg_temp.r({key}, {stream})"

    def sql(self, cur, statement: str, params=None) -> int:
        started = time.monotonic()
        cur.execute(statement, params)
        elapsed = time.monotonic() - started
        if elapsed > 1:
            self.out(f"    ({elapsed:.1f} s: {' '.join(statement.split())[:60]})")
        return cur.rowcount

    def step(self, cur, label: str, statement: str, params=None) -> int:
        started = time.monotonic()
        rows = self.sql(cur, statement, params)
        elapsed = time.monotonic() - started
        self.timings.append((label, elapsed, rows))
        self.out(f"  {label:<34} {rows:>11,} rows {elapsed:8.1f} s")
        return rows

    def insert(self, cur, model_label: str, values: dict[str, str], source: str) -> int:
        """INSERT INTO the model's table SELECT the given expressions; NOT NULL columns not given
        are filled with the field's default (so a field added later does not break the loader)."""
        model = apps.get_model(model_label)
        columns, exprs, params = [], [], []
        for column, expr in values.items():
            columns.append(column)
            exprs.append(expr)
        given = set(columns)
        for field in model._meta.concrete_fields:
            if field.column in given or field.null or field.primary_key:
                continue
            if field.has_default():
                value = field.get_db_prep_save(field.get_default(), connection)
            elif isinstance(field, models.DateTimeField):
                value = self.as_of.isoformat()
            elif isinstance(field, (models.CharField, models.TextField)):
                value = ""
            else:
                raise RuntimeError(
                    f"{model_label}.{field.name} is NOT NULL without a default: extend the generator"
                )
            columns.append(field.column)
            exprs.append("%s")
            params.append(value)
        statement = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} {source}"
        )
        if self.deferred is not None:
            self.deferred.append((model._meta.db_table, statement, params or None))
            return 0
        return self.step(cur, model._meta.db_table, statement, params or None)

    # --- the big INSERTs, run last, on `workers` connections at once (one table each at a time)

    def session_settings(self) -> list[str]:
        settings = [
            "SET synchronous_commit = off",
            "SET work_mem = '256MB'",
            "SET maintenance_work_mem = '512MB'",
            "SET jit = off",
            f"""CREATE OR REPLACE FUNCTION pg_temp.r(i bigint, k integer) RETURNS float8
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$ SELECT ((hashint8extended(i, {int(self.seed)}::bigint * 1000 + k) >> 11) & 9007199254740991)::float8
                      / 9007199254740992.0 $$""",
        ]
        if self.superuser:
            settings.append("SET session_replication_role = replica")
        return settings

    def flush(self, cur, jobs):
        """Run (label, statement, params) jobs: in this session, or on parallel worker sessions."""
        if self.workers <= 1 or len(jobs) < 2:
            for label, statement, params in jobs:
                self.step(cur, label, statement, params)
            return
        import psycopg

        db = connection.settings_dict
        conninfo = {
            "dbname": db["NAME"],
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
        }
        pending = list(jobs)
        errors = []

        def work():
            with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
                for setting in self.session_settings():
                    conn.execute(setting)
                while True:
                    with self.lock:
                        if not pending or errors:
                            return
                        label, statement, params = pending.pop(0)
                    started = time.monotonic()
                    try:
                        rows = conn.execute(statement, params).rowcount
                    except Exception as error:  # reported after the other workers stop
                        with self.lock:
                            errors.append(f"{label}: {error}")
                        return
                    elapsed = time.monotonic() - started
                    with self.lock:
                        self.timings.append((label, elapsed, rows))
                        if not label.startswith("analyze "):
                            self.out(f"  {label:<34} {rows:>11,} rows {elapsed:8.1f} s  (parallel)")

        threads = [threading.Thread(target=work) for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise RuntimeError("; ".join(errors))

    # --- the whole run

    def tables(self):
        result = []
        for label in APP_LABELS:
            for model in apps.get_app_config(label).get_models():
                result.append(model._meta.db_table)
        return result

    def existing_rows(self, cur) -> int:
        cur.execute("SELECT count(*) FROM phb_organisation")
        return cur.fetchone()[0]

    def marker(self, cur):
        cur.execute("SELECT to_regclass(%s)", [MARKER])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT people, orgs, seed, as_of, finished_at FROM {MARKER} WHERE id = 1")
        return cur.fetchone()

    def clear(self, cur):
        tables = [*self.tables(), "auth_user", "knox_authtoken", "django_session"]
        tables += [t for t in ("axes_accessattempt", "axes_accesslog", "axes_accessfailurelog")]
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        present = {row[0] for row in cur.fetchall()}
        # Inside a transaction (tests), deferred foreign-key checks of earlier writes must fire first.
        self.sql(cur, "SET CONSTRAINTS ALL IMMEDIATE")
        self.step(
            cur,
            "truncate",
            f"TRUNCATE {', '.join(t for t in tables if t in present)} RESTART IDENTITY CASCADE",
        )
        self.sql(cur, "SET CONSTRAINTS ALL DEFERRED")
        # The marker says the data here is generated (finished_at stays empty until the run ends).
        self.sql(
            cur,
            f"""CREATE TABLE IF NOT EXISTS {MARKER} (id int PRIMARY KEY, people int, orgs int, seed int,
            as_of date, bench_pending int, finished_at timestamptz, seconds float8)""",
        )
        self.sql(cur, f"DELETE FROM {MARKER}")
        self.sql(cur, f"INSERT INTO {MARKER} (id) VALUES (1)")

    def run(self, cur):
        started = time.monotonic()
        self.setup(cur)
        self.reference(cur)
        self.kernel(cur)
        self.referrals(cur)
        self.plans(cur)
        self.approvals(cur)
        self.payments(cur)
        self.reviews(cur)
        self.audit(cur)
        jobs, self.deferred = self.deferred or [], None
        # Largest tables first, so the workers finish together.
        big_first = ["payments_ledgerentry", "phb_auditevent", "support_plans_planitem", "approvals_decision"]
        jobs.sort(key=lambda job: big_first.index(job[0]) if job[0] in big_first else len(big_first))
        self.flush(cur, jobs)
        self.finish(cur, time.monotonic() - started)
        return time.monotonic() - started

    def setup(self, cur):
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        self.superuser = bool(cur.fetchone()[0])
        for setting in self.session_settings():
            self.sql(cur, setting)
        for name in STAGING:
            self.sql(cur, f"DROP TABLE IF EXISTS {name}")

    def reference(self, cur):
        """Small lookup tables: organisations with their id ranges, item templates, policy tiers."""
        self.sql(
            cur,
            """CREATE UNLOGGED TABLE g_org (id int, code text, name text, region text, population int, policy int,
            first_person bigint, last_person bigint, cc_base int, cc_n int, tl_base int, team_base int, teams int,
            phb_base int, phb_n int, lex_base int, lex_n int, com_base int, com_n int, brk_base int, brk_n int,
            fin_base int, fin_n int, adm_base int, reg_base int, user_base int, users int)""",
        )
        rows = []
        for o in self.orgs:
            c = o.counts
            rows.append(
                (o.id, o.code, o.name, o.region, o.population, o.policy, o.first_person, o.last_person,
                 o.base("bench"), c["bench"] + c["cc"], o.base("tl"), o.team_base, o.teams,
                 o.base("phb"), c["phb"], o.base("lex"), c["lex"], o.base("com"), c["com"],
                 o.base("brk"), c["brk"], o.base("fin"), c["fin"], o.base("adm"), o.base("reg"),
                 o.user_base, o.users)
            )  # fmt: skip
        cur.executemany("INSERT INTO g_org VALUES (" + ", ".join(["%s"] * 27) + ")", rows)
        self.sql(
            cur,
            """CREATE UNLOGGED TABLE g_tpl (profile text, j int, n int, category text, frequency text,
            amin numeric, amax numeric, description text, payment_method text)""",
        )
        rows = []
        for profile, items in spec.ITEM_PROFILES.items():
            for j, (category, frequency, amin, amax, description, method) in enumerate(items):
                rows.append((profile, j, len(items), category, frequency, amin, amax, description, method))
        cur.executemany("INSERT INTO g_tpl VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        self.sql(
            cur,
            """CREATE UNLOGGED TABLE g_tier (policy int, tier int, basis text, up_to numeric, required jsonb,
            may_sign boolean, roles text[], nsign int)""",
        )
        rows = []
        for index, tiers in enumerate(spec.POLICIES):
            for t, tier in enumerate(tiers, start=1):
                roles = [s["role"] for s in tier["signoffs"] for _ in range(s["count"])]
                rows.append(
                    (index, t, tier["basis"], tier["up_to"], json.dumps(tier["signoffs"]),
                     tier["submitter_may_sign"], roles, len(roles))
                )  # fmt: skip
        cur.executemany("INSERT INTO g_tier VALUES (%s, %s, %s, %s, %s::jsonb, %s, %s, %s)", rows)
        self.sql(cur, "CREATE UNLOGGED TABLE g_sup (k int, name text)")
        cur.executemany("INSERT INTO g_sup VALUES (%s, %s)", list(enumerate(spec.SUPPLIERS)))
        self.sql(cur, "ANALYZE g_org; ANALYZE g_tpl; ANALYZE g_tier; ANALYZE g_sup")

    # --- the kernel: organisations, staff, people

    def kernel(self, cur):
        A = self.A
        self.insert(
            cur,
            "phb.Organisation",
            {
                "id": "id",
                "code": "code",
                "name": "name",
                "region": "region",
                "population": "population",
                "ambition_target": "population * 175 / 10000",
                "ambition_date": f"DATE '{spec.AMBITION_DATE.isoformat()}'",
                "stale_approval_days": "5",
                "unfunded_after_days": "14",
                "created_at": f"DATE '{spec.PROGRAMME_START.isoformat()}'::timestamptz",
                "modified_at": f"DATE '{spec.PROGRAMME_START.isoformat()}'::timestamptz",
            },
            "FROM g_org",
        )
        self.insert(
            cur,
            "phb.Team",
            {
                "id": "o.team_base + t",
                "name": "'Team ' || (t + 1) || ' (' || o.code || ')'",
                "organisation_id": "o.id",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            "FROM g_org o, generate_series(0, o.teams - 1) t",
        )
        # Staff: a kind per contiguous id range (see spec.STAFF_KINDS); every password unusable
        # except the benchmark users', hashed once here and copied.
        bench_hash = make_password(spec.BENCH_PASSWORD)
        kinds = []
        for kind, _n, roles in spec.STAFF_KINDS:
            kinds.append((kind, roles))
        self.sql(cur, "DROP TABLE IF EXISTS g_staff")
        self.sql(cur, "CREATE UNLOGGED TABLE g_staff (org int, uid int, kind text, k int, team int)")
        staff_sql = []
        for kind, _roles in kinds:
            if kind == "bench":
                staff_sql.append("SELECT o.id, o.user_base, 'bench', 0, o.team_base FROM g_org o")
            elif kind == "cc":
                staff_sql.append(
                    "SELECT o.id, o.cc_base + k, 'cc', k, o.team_base + k / 8 FROM g_org o, generate_series(1, o.cc_n - 1) k"
                )
            elif kind == "tl":
                staff_sql.append(
                    "SELECT o.id, o.tl_base + k, 'tl', k, o.team_base + k FROM g_org o, generate_series(0, o.teams - 1) k"
                )
            else:
                base = {"phb": "phb", "lex": "lex", "com": "com", "brk": "brk", "fin": "fin"}.get(kind)
                if base:
                    staff_sql.append(
                        f"SELECT o.id, o.{base}_base + k, '{kind}', k, NULL::int FROM g_org o, generate_series(0, o.{base}_n - 1) k"
                    )
                else:
                    staff_sql.append(f"SELECT o.id, o.{kind}_base, '{kind}', 0, NULL::int FROM g_org o")
        self.sql(cur, "INSERT INTO g_staff " + " UNION ALL ".join(staff_sql))
        names = spec.GIVEN_NAMES_FEMALE + spec.GIVEN_NAMES_MALE
        given = "(ARRAY[" + ", ".join(_lit(n) for n in names) + f"])[1 + mod(s.uid, {len(names)})]"
        family = (
            "(ARRAY["
            + ", ".join(_lit(n) for n in spec.FAMILY_NAMES)
            + f"])[1 + mod(s.uid * 7, {len(spec.FAMILY_NAMES)})]"
        )
        self.insert(
            cur,
            "auth.User",
            {
                "id": "s.uid",
                "password": f"CASE WHEN s.kind = 'bench' THEN {_lit(bench_hash)} ELSE '!' || md5(s.uid::text || 'x{self.seed}') END",
                "is_superuser": "false",
                "username": "CASE WHEN s.kind = 'bench' THEN 'bench_' || lower(o.code) "
                "ELSE 'g' || lower(o.code) || '_' || s.kind || s.k END",
                "first_name": given,
                "last_name": family,
                "email": "CASE WHEN s.kind = 'bench' THEN 'bench_' || lower(o.code) "
                "ELSE 'g' || lower(o.code) || '_' || s.kind || s.k END || '@example.nhs.uk'",
                "is_staff": "false",
                "is_active": "true",
                "date_joined": "DATE '2015-01-01'",
            },
            "FROM g_staff s JOIN g_org o ON o.id = s.org",
        )
        self.insert(
            cur,
            "phb.Membership",
            {
                "id": "s.uid",
                "organisation_id": "s.org",
                "user_id": "s.uid",
                "team_id": "s.team",
                "is_active": "true",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            "FROM g_staff s",
        )
        role_rows = []
        for kind, roles in kinds:
            for index, role in enumerate(roles):
                role_rows.append(f"('{kind}', {index}, '{role}')")
        self.insert(
            cur,
            "phb.MembershipRole",
            {
                "id": "s.uid * 10 + kr.idx",
                "organisation_id": "s.org",
                "membership_id": "s.uid",
                "role": "kr.role",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            f"FROM g_staff s JOIN (VALUES {', '.join(role_rows)}) AS kr(kind, idx, role) ON kr.kind = s.kind",
        )
        self.insert(
            cur,
            "approvals.ApprovalPolicy",
            {
                "id": "o.id",
                "organisation_id": "o.id",
                "version": "1",
                "effective_from": "DATE '2015-01-01'",
                "tiers": "(SELECT jsonb_agg(jsonb_build_object('up_to', t.up_to::text, 'basis', t.basis, "
                "'signoffs', t.required, 'submitter_may_sign', t.may_sign) ORDER BY t.tier) "
                "FROM g_tier t WHERE t.policy = o.policy)",
                "note": "'Delegated limits agreed by the board'",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            "FROM g_org o",
        )
        self.insert(
            cur,
            "reviews.ReviewPolicy",
            {
                "id": "o.id",
                "organisation_id": "o.id",
                "first_review_weeks": "12",
                "interval_weeks": "(ARRAY[13, 26, 52])[1 + mod(o.id, 3)]",
                "reminder_days_before": "7",
                "escalate_days_after": "14",
                "midpoint_and_end": "mod(o.id, 5) = 0",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            "FROM g_org o",
        )
        self.insert(
            cur,
            "support_plans.Supplier",
            {
                "id": "o.id * 100 + s.k",
                "organisation_id": "o.id",
                "name": "s.name",
                "service": "''",
                "category": "''",
                "contact": "''",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            "FROM g_org o CROSS JOIN g_sup s",
        )
        self.insert(
            cur,
            "support_plans.FastTrackOffer",
            {
                "id": "o.id * 10 + f.k",
                "organisation_id": "o.id",
                "name": "f.name",
                "description": "f.description",
                "category": "f.category",
                "amount": "f.amount",
                "frequency": "'one_off'",
                "payment_method": "'purchased_by_organisation'",
                "is_active": "true",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            "FROM g_org o CROSS JOIN (VALUES (0, 'Phone and SIM', 'Smartphone with a year of data', 'connectivity', 180.00),"
            " (1, 'Gym pass', 'Twelve months of leisure centre membership', 'fitness_exercise', 240.00),"
            " (2, 'Tablet', 'Tablet for video calls', 'technical_equipment', 150.00)) AS f(k, name, description, category, amount)",
        )
        self.insert(
            cur,
            "support_plans.OrganisationSpendCategory",
            {
                "id": "o.id",
                "organisation_id": "o.id",
                "code": "'peer_support'",
                "label": "'Peer support'",
                "created_at": "DATE '2015-01-01'",
                "modified_at": "DATE '2015-01-01'",
            },
            "FROM g_org o",
        )
        # --- people: the story of each, one row per person, in a temporary table.
        r = self.r
        cohorts = [(c[0], c[1]) for c in spec.COHORTS]
        ages = {c[0]: (c[2], c[3]) for c in spec.COHORTS}
        age_expr = (
            "(CASE c1 "
            + " ".join(
                f"WHEN '{code}' THEN {lo} + floor({'sqrt(' if code in ('chc', 'end_of_life') else '('}{r('i', 3)}) * {hi - lo + 1})::int"
                for code, (lo, hi) in ages.items()
            )
            + " END)"
        )
        second = (
            "(CASE c1 "
            + " ".join(
                f"WHEN '{code}' THEN CASE WHEN {r('i', 2)} < {w / 1000} THEN '{other}' END"
                for code, (other, w) in spec.SECOND_COHORT.items()
            )
            + " END)"
        )
        months = _case("c1", {c[0]: c[4] for c in spec.COHORTS}, "12")
        recurring = _case("c1", {c[0]: "true" if c[5] else "false" for c in spec.COHORTS}, "true")
        profile = _case("c1", {k: _lit(v) for k, v in spec.COHORT_PROFILE.items()}, "'other'")
        span = (self.as_of - spec.PROGRAMME_START).days
        self.step(
            cur,
            "g_p (people's stories)",
            f"""CREATE UNLOGGED TABLE g_p AS
            SELECT s.*, {age_expr} AS age, {second} AS c2, {months} AS months, {recurring} AS recurring,
                   {profile} AS profile,
                   CASE WHEN c1 = 'maternity' THEN '2' ELSE {_pick(r("i", 5), spec.GENDERS)} END AS gender,
                   CASE WHEN c1 = 'wheelchair' AND {r("i", 14)} < 0.8 THEN 'notional'
                        ELSE {_pick(r("i", 14), spec.MANAGEMENT)} END AS management
            FROM (
              SELECT i, o.id AS org, (i - o.first_person)::int AS loc, o.cc_base, o.cc_n, o.tl_base, o.team_base,
                     o.policy, o.user_base,
                     (o.id = 1 AND i - o.first_person < {int(self.bench_pending)}) AS forced,
                     {_pick(r("i", 1), cohorts)} AS c1,
                     {_pick(r("i", 6), spec.ETHNICITIES)} AS ethnicity,
                     {_pick(r("i", 8), spec.SOURCES)} AS source,
                     CASE WHEN o.id = 1 AND i - o.first_person < {int(self.bench_pending)} THEN 60
                          ELSE floor({span} * (1 - sqrt({r("i", 7)})))::int END AS days_ago,
                     CASE WHEN o.id = 1 AND i - o.first_person < {int(self.bench_pending)}
                          THEN 1 + mod(i - o.first_person, greatest(o.cc_n - 1, 1))
                          ELSE floor({r("i", 10)} * o.cc_n)::int END AS cc_k
              FROM g_org o, generate_series(o.first_person, o.last_person) AS i
            ) s""",
        )
        # Referral status and the pathway dates that follow from it.
        self.step(
            cur,
            "g_p (pathway dates)",
            f"""CREATE UNLOGGED TABLE g_p2 AS
            SELECT p.*, {A} - p.days_ago AS received_on,
              CASE WHEN p.forced THEN 'accepted'
                   WHEN p.days_ago < 1 + floor({r("i", 11)} * 14)::int THEN 'received'
                   WHEN {r("i", 9)} < 0.05 THEN 'declined'
                   WHEN {r("i", 9)} < 0.09 THEN 'withdrawn'
                   WHEN {r("i", 9)} < 0.10 THEN 'transferred'
                   ELSE 'accepted' END AS ref_status,
              p.cc_base + p.cc_k AS cc_user, p.team_base + p.cc_k / 8 AS team,
              p.tl_base + p.cc_k / 8 AS tl_user,
              p.cc_base + mod(p.cc_k + 1, p.cc_n) AS other_cc
            FROM g_p p""",
        )
        self.sql(cur, "DROP TABLE g_p; ALTER TABLE g_p2 RENAME TO g_p")
        self.step(
            cur,
            "g_p (conversation, first start)",
            f"""CREATE UNLOGGED TABLE g_p2 AS
            SELECT q.*,
              make_date(extract(year FROM q.s_raw)::int, extract(month FROM q.s_raw)::int,
                        least(extract(day FROM q.s_raw)::int, 28)) AS s1,
              (q.ref_status = 'accepted' AND q.conv_on <= {A} AND (q.forced OR {r("i", 13)} >= 0.03)) AS has_budget
            FROM (
              SELECT p.*, p.received_on + 1 + CASE WHEN p.forced THEN 0 ELSE floor({r("i", 11)} * 14)::int END AS accepted_on,
                     p.received_on + 4 + CASE WHEN p.forced THEN 0 ELSE floor({r("i", 11)} * 14)::int
                                                              + floor({r("i", 12)} * 25)::int END AS conv_on,
                     CASE WHEN p.forced THEN {A} + 14
                          ELSE p.received_on + 25 + floor({r("i", 11)} * 14)::int + floor({r("i", 12)} * 25)::int
                                    + floor({r("i", 15)} * 40)::int END AS s_raw
              FROM g_p p
            ) q""",
        )
        self.sql(cur, "DROP TABLE g_p; ALTER TABLE g_p2 RENAME TO g_p")
        # Closure of the budget (before versions are laid out: a closed budget stops renewing).
        self.step(
            cur,
            "g_p (closure)",
            f"""CREATE UNLOGGED TABLE g_p2 AS
            SELECT p.*,
              CASE WHEN c.closed_on <= {A} THEN c.closed_on END AS closed_on,
              CASE WHEN c.closed_on <= {A} THEN c.reason END AS close_reason
            FROM g_p p LEFT JOIN LATERAL (
              SELECT CASE
                WHEN NOT p.has_budget OR p.forced THEN NULL
                WHEN p.c1 = 'end_of_life' AND {r("i", 21)} < 0.85 THEN p.s1 + 20 + floor({r("i", 20)} * 150)::int
                WHEN NOT p.recurring AND {r("i", 21)} < 0.65
                  THEN (p.s1 + make_interval(months => p.months))::date + floor({r("i", 20)} * 60)::int
                WHEN p.recurring AND {A} - p.s1 > 240 AND {r("i", 21)} < 0.30
                  THEN p.s1 + 120 + floor({r("i", 20)} * ({A} - p.s1 - 120))::int
                END AS closed_on,
                CASE WHEN p.c1 = 'end_of_life' THEN 'died'
                     WHEN NOT p.recurring AND {r("i", 22)} < 0.7 THEN 'goals_achieved'
                     ELSE {_pick(r("i", 22), spec.CLOSE_REASONS)} END AS reason
            ) c ON true""",
        )
        self.sql(cur, "DROP TABLE g_p; ALTER TABLE g_p2 RENAME TO g_p")
        self.sql(cur, "ANALYZE g_p")
        female = "(ARRAY[" + ", ".join(_lit(n) for n in spec.GIVEN_NAMES_FEMALE) + "])"
        male = "(ARRAY[" + ", ".join(_lit(n) for n in spec.GIVEN_NAMES_MALE) + "])"
        families = "(ARRAY[" + ", ".join(_lit(n) for n in spec.FAMILY_NAMES) + "])"
        nf, nm, nfam = len(spec.GIVEN_NAMES_FEMALE), len(spec.GIVEN_NAMES_MALE), len(spec.FAMILY_NAMES)

        # NHS number: 9 digits from 400000000 + 3i (+0, +1 or +2, the first with a valid check digit).
        def check(d: str) -> str:
            weighted = " + ".join(f"mod(({d}) / {10 ** (9 - k)}, 10) * {11 - k}" for k in range(1, 10))
            return f"(11 - mod({weighted}, 11))"

        def nhs(d: str) -> str:
            return f"({d})::text || mod({check(d)}, 11)::text"

        nhs_expr = (
            f"CASE WHEN {check('400000000 + 3 * g.i')} <> 10 THEN {nhs('400000000 + 3 * g.i')} "
            f"WHEN {check('400000001 + 3 * g.i')} <> 10 THEN {nhs('400000001 + 3 * g.i')} "
            f"ELSE {nhs('400000002 + 3 * g.i')} END"
        )
        self.deferred = []  # from here on the big tables: run together at the end
        self.insert(
            cur,
            "phb.Person",
            {
                "id": "i",
                "organisation_id": "org",
                "nhs_number": "nhs",
                "given_name": f"CASE WHEN gender = '1' THEN {male}[1 + floor({r('i', 30)} * {nm})::int] "
                f"ELSE {female}[1 + floor({r('i', 30)} * {nf})::int] END",
                "family_name": f"{families}[1 + floor({r('i', 31)} * {nfam})::int]",
                "date_of_birth": f"{A} - (age * 365.25 + floor({r('i', 4)} * 365))::int",
                "gender": "gender",
                "ethnicity": "ethnicity",
                "postcode": "''",
                "phone": "''",
                "email": "''",
                "representative_kind": "CASE WHEN age < 18 THEN 'representative' ELSE '' END",
                "representative_name": "CASE WHEN age < 18 THEN 'Parent or guardian' ELSE '' END",
                "representative_relationship": "CASE WHEN age < 18 THEN 'Parent' ELSE '' END",
                "representative_contact": "''",
                "created_at": "received_on::timestamptz + interval '10 hours'",
                "modified_at": "received_on::timestamptz + interval '10 hours'",
            },
            f"FROM (SELECT g.*, {nhs_expr} AS nhs FROM g_p g) x",
        )
        self.insert(
            cur,
            "phb.PersonCohort",
            {
                "id": "i * 2 + n",
                "organisation_id": "org",
                "person_id": "i",
                "cohort": "CASE WHEN n = 0 THEN c1 ELSE c2 END",
                "created_at": "received_on::timestamptz + interval '10 hours'",
                "modified_at": "received_on::timestamptz + interval '10 hours'",
            },
            "FROM g_p, generate_series(0, 1) n WHERE n = 0 OR c2 IS NOT NULL",
        )

    def referrals(self, cur):
        A = self.A
        r = self.r
        n = self.n_orgs
        self.insert(
            cur,
            "referrals.Referral",
            {
                "id": "i",
                "organisation_id": "org",
                "person_id": "i",
                "source": "source",
                "cohort": "c1",
                "received_on": "received_on",
                "notes": "''",
                "status": "ref_status",
                "care_coordinator_id": "CASE WHEN ref_status = 'accepted' THEN cc_user END",
                "team_id": "CASE WHEN ref_status = 'accepted' THEN team END",
                "accepted_at": "CASE WHEN ref_status = 'accepted' THEN accepted_on + interval '11 hours' END",
                "closed_at": "CASE WHEN ref_status IN ('declined', 'withdrawn', 'transferred') "
                "THEN received_on + 5 + interval '14 hours' END",
                "status_reason": "CASE ref_status WHEN 'declined' THEN 'Not eligible for a personal health budget' "
                "WHEN 'withdrawn' THEN 'The person chose not to go ahead' "
                "WHEN 'transferred' THEN 'Registered with a GP in another area' ELSE '' END",
                "transferred_to_id": f"CASE WHEN ref_status = 'transferred' THEN 1 + mod(org, {n}) END",
                "created_at": "received_on + interval '10 hours'",
                "modified_at": "received_on + interval '10 hours'",
            },
            "FROM g_p",
        )
        goals = [
            "To get out of the house more",
            "To stay living at home",
            "To sleep better",
            "To get back to work",
            "To see my friends again",
            "To manage my own care",
            "To be less anxious",
            "To get around on my own",
        ]
        goal_array = "(ARRAY[" + ", ".join(_lit(g) for g in goals) + "])"
        self.insert(
            cur,
            "referrals.Conversation",
            {
                "id": "i * 2 + n",
                "organisation_id": "org",
                "referral_id": "i",
                "person_id": "i",
                "held_on": "conv_on + 14 * n",
                "mode": _pick(r("i * 2 + n", 60), spec.CONVERSATION_MODES),
                "participants": f'CASE WHEN {r("i", 61)} < 0.5 THEN \'["person", "family_carer"]\'::jsonb '
                'ELSE \'["person", "care_coordinator"]\'::jsonb END',
                "notes": "'What would help you to get and stay well?'",
                "goals": f"jsonb_build_array({goal_array}[1 + floor({r('i', 62)} * {len(goals)})::int], "
                f"{goal_array}[1 + floor({r('i', 63)} * {len(goals)})::int])",
                "created_at": "conv_on + 14 * n + interval '15 hours'",
                "modified_at": "conv_on + 14 * n + interval '15 hours'",
            },
            f"FROM g_p, generate_series(0, 1) n WHERE ref_status = 'accepted' AND conv_on + 14 * n <= {A} "
            f"AND (n = 0 OR {r('i', 64)} < 0.2)",
        )

    def plans(self, cur):
        A, r = self.A, self.r
        # Versions materialised: 1, and the last two of those due by now (renewed every 12 months).
        self.step(
            cur,
            "g_v (plan versions)",
            f"""CREATE UNLOGGED TABLE g_v AS
            SELECT w.*, w.submitted_on - floor({r("w.pid", 2)} * 7)::int AS created_on
            FROM (
              SELECT v.*, v.i * 3 + v.slot AS pid,
                (v.start_date + make_interval(months => v.months))::date - 1 AS end_date,
                CASE WHEN v.forced THEN {A} - 1 - mod(v.loc, 5)
                     ELSE greatest(v.start_date - 5 - floor({r("v.i * 3 + v.slot", 1)} * 20)::int, v.conv_on + 1)
                END AS submitted_on
              FROM (
                SELECT p.*, s.slot, s.vnum,
                       (p.s1 + make_interval(months => (s.vnum - 1) * 12))::date AS start_date
                FROM (
                  SELECT p.*, CASE WHEN p.recurring AND p.c1 <> 'end_of_life'
                    THEN 1 + (date_part('year', age(coalesce(p.closed_on, {A}) + 30, p.s1)) )::int ELSE 1 END AS nv
                  FROM g_p p WHERE p.has_budget
                ) p
                CROSS JOIN LATERAL (VALUES (0, 1), (1, CASE WHEN p.nv = 2 THEN 2 ELSE p.nv - 1 END), (2, p.nv))
                  AS s(slot, vnum)
                WHERE s.slot = 0 OR (s.slot = 1 AND p.nv >= 2) OR (s.slot = 2 AND p.nv >= 3)
              ) v
            ) w""",
        )
        # Plan versions created after the horizon do not exist yet.
        self.sql(cur, f"DELETE FROM g_v WHERE created_on > coalesce(closed_on, {A})")
        self.sql(cur, "ANALYZE g_v")
        self.step(
            cur,
            "g_item (plan items)",
            f"""CREATE UNLOGGED TABLE g_item AS
            SELECT x.*,
              CASE x.frequency WHEN 'one_off' THEN 1
                WHEN 'weekly' THEN (x.end_date - x.start_date) / 7 + 1
                WHEN 'fortnightly' THEN (x.end_date - x.start_date) / 14 + 1
                WHEN 'four_weekly' THEN (x.end_date - x.start_date) / 28 + 1
                WHEN 'monthly' THEN x.months
                WHEN 'annually' THEN (x.months + 11) / 12 END AS occ,
              CASE x.frequency WHEN 'one_off' THEN 0 WHEN 'weekly' THEN x.amount
                WHEN 'fortnightly' THEN x.amount / 2 WHEN 'four_weekly' THEN x.amount / 4
                WHEN 'monthly' THEN x.amount * 12 / 52 WHEN 'annually' THEN x.amount / 52 END AS weekly
            FROM (
              SELECT v.pid, v.i, v.org, v.vnum, v.start_date, v.end_date, v.months, v.created_on, t.j,
                     t.category, t.frequency, t.description, t.payment_method,
                     round(round(t.amin + {r("v.i * 4 + t.j", 41)}::numeric * (t.amax - t.amin), 0)
                           * power(1.03::numeric, v.vnum - 1), 2) AS amount,
                     CASE WHEN {r("v.i * 4 + t.j", 42)} < 0.6 THEN floor({r("v.i * 4 + t.j", 43)} * 20)::int END AS sup
              FROM g_v v JOIN g_tpl t ON t.profile = v.profile
                AND t.j < 1 + floor({r("v.i", 40)} * t.n)::int
            ) x""",
        )
        self.step(
            cur,
            "g_cost (plan costs)",
            """CREATE UNLOGGED TABLE g_cost AS
            SELECT pid, round(sum(amount * occ), 2) AS total,
                   sum(weekly) + sum(CASE WHEN frequency = 'one_off' THEN amount ELSE 0 END)
                     / ((max(end_date) - max(start_date) + 1) / 7.0) AS wk
            FROM g_item GROUP BY pid""",
        )
        # Tier, outcome and timings of each version's approval request.
        measure = "(CASE t.basis WHEN 'total' THEN c.total WHEN 'weekly' THEN round(c.wk, 2) ELSE round(c.wk * 52, 2) END)"
        self.step(
            cur,
            "g_v2 (approval outcomes)",
            f"""CREATE UNLOGGED TABLE g_v2 AS
            SELECT y.*,
              CASE WHEN {A} < y.submitted_on THEN 'draft'
                   WHEN y.decided_at::date > {A} THEN 'pending'
                   WHEN y.vnum = 1 AND y.nv = 1 AND {r("y.pid", 5)} < 0.03 THEN 'declined'
                   ELSE 'approved' END AS outcome
            FROM (
              SELECT v.*, c.total, round(c.wk, 2) AS weekly, round(c.wk * 52, 2) AS annual,
                     m.tier, m.basis, m.measured, m.up_to, m.required, m.may_sign, m.roles, m.nsign,
                     v.submitted_on + time '09:00' + {r("v.pid", 3)} * interval '8 hours' AS submitted_at,
                     CASE WHEN v.forced THEN timestamp '2999-01-01'
                     ELSE v.submitted_on + time '09:00' + {r("v.pid", 3)} * interval '8 hours'
                       + CASE m.tier WHEN 1 THEN floor({r("v.pid", 4)} * 3)::int
                                     WHEN 2 THEN 1 + floor(power({r("v.pid", 4)}, 2) * 10)::int
                                     ELSE 3 + floor(power({r("v.pid", 4)}, 2.5) * 45)::int END * interval '1 day'
                       + {r("v.pid", 6)} * interval '6 hours' END AS decided_at,
                     {r("v.pid", 7)} < 0.05 AS was_returned
              FROM g_v v JOIN g_cost c ON c.pid = v.pid
              CROSS JOIN LATERAL (
                SELECT t.tier, t.basis, {measure} AS measured, t.up_to, t.required, t.may_sign, t.roles, t.nsign
                FROM g_tier t WHERE t.policy = v.policy AND (t.up_to IS NULL OR {measure} <= t.up_to)
                ORDER BY t.tier LIMIT 1
              ) m
            ) y""",
        )
        # A closed budget keeps only versions approved before it closed; a declined first version ends it.
        self.sql(
            cur,
            "DELETE FROM g_v2 v WHERE v.closed_on IS NOT NULL AND (v.outcome <> 'approved' OR v.decided_at::date >= v.closed_on)",
        )
        self.sql(
            cur,
            "DELETE FROM g_v2 v USING (SELECT i, min(slot) AS slot FROM g_v2 WHERE outcome = 'declined' GROUP BY i) d"
            " WHERE d.i = v.i AND v.slot > d.slot",
        )
        # Keep budgets that still have a version; release and payment timings per budget.
        self.step(
            cur,
            "g_acc (budget accounts)",
            f"""CREATE UNLOGGED TABLE g_acc AS
            SELECT z.*,
              CASE WHEN z.first_release <= coalesce(z.closed_on, {A}) THEN z.first_release END AS released_on,
              CASE WHEN z.first_release + 1 + floor({r("z.i", 71)} * 20)::int <= coalesce(z.closed_on, {A})
                   THEN z.first_release + 1 + floor({r("z.i", 71)} * 20)::int END AS paid_on
            FROM (
              SELECT a.*, a.first_approved::date + CASE
                  WHEN {r("a.i", 70)} < 0.65 THEN 1 + floor({r("a.i", 72)} * 14)::int
                  WHEN {r("a.i", 70)} < 0.87 THEN 15 + floor({r("a.i", 72)} * 45)::int
                  WHEN {r("a.i", 70)} < 0.97 THEN 61 + floor({r("a.i", 72)} * 120)::int
                  ELSE 181 + floor({r("a.i", 72)} * 220)::int END AS first_release
              FROM (
                SELECT v.i, v.org, v.closed_on,
                       min(v.decided_at) FILTER (WHERE v.outcome = 'approved') AS first_approved,
                       max(v.pid) FILTER (WHERE v.outcome = 'approved') AS plan_id
                FROM g_v2 v GROUP BY v.i, v.org, v.closed_on
              ) a WHERE a.plan_id IS NOT NULL
            ) z""",
        )
        self.sql(cur, "ANALYZE g_v2; ANALYZE g_acc")
        # Final statuses: the latest approved version is in place (active once funds move),
        # earlier approved versions are superseded by the next approval.
        self.step(
            cur,
            "g_v3 (plan statuses)",
            """CREATE UNLOGGED TABLE g_v3 AS
            SELECT v.*, a.plan_id AS account_plan, a.released_on,
              lag(v.pid) OVER w AS prev_pid,
              CASE WHEN v.outcome <> 'approved' THEN CASE v.outcome WHEN 'pending' THEN 'submitted' ELSE v.outcome END
                   WHEN v.pid <> a.plan_id THEN 'superseded'
                   WHEN v.closed_on IS NOT NULL THEN 'closed'
                   WHEN a.released_on IS NOT NULL THEN 'active'
                   ELSE 'approved' END AS status,
              CASE WHEN v.outcome = 'approved' AND v.pid <> a.plan_id THEN
                min(v.decided_at) FILTER (WHERE v.outcome = 'approved') OVER (PARTITION BY v.i ORDER BY v.slot
                  ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
              END AS superseded_at
            FROM g_v2 v LEFT JOIN g_acc a ON a.i = v.i
            WINDOW w AS (PARTITION BY v.i ORDER BY v.slot)""",
        )
        self.sql(cur, "ANALYZE g_v3")
        self.insert(
            cur,
            "support_plans.Budget",
            {
                "id": "i",
                "organisation_id": "org",
                "person_id": "i",
                "referral_id": "i",
                "closed_on": "closed_on",
                "close_reason": "coalesce(close_reason, '')",
                "close_note": "''",
                "created_at": "min_created + interval '10 hours'",
                "modified_at": f"coalesce(closed_on, {A}) + interval '10 hours'",
            },
            "FROM (SELECT i, org, closed_on, close_reason, min(created_on) AS min_created FROM g_v3 "
            "GROUP BY i, org, closed_on, close_reason) b",
        )
        self.insert(
            cur,
            "support_plans.SupportPlan",
            {
                "id": "pid",
                "organisation_id": "org",
                "budget_id": "i",
                "person_id": "i",
                "referral_id": "i",
                "version": "vnum",
                "previous_version_id": "prev_pid",
                "status": "status",
                "care_coordinator_id": "cc_user",
                "start_date": "start_date",
                "end_date": "end_date",
                "management": "management",
                "funded_nhs": "true",
                "funded_social_care": f"c1 IN ('chc', 'ld_autism', 's117') AND {r('i', 16)} < 0.12",
                "funded_education": "coalesce(c1 = 'ehcp' OR c2 = 'ehcp', false)",
                "contingency": "'If support breaks down, call the care coordinator or the out-of-hours team.'",
                "contacts": "''",
                "agreed_on": "CASE WHEN status <> 'draft' THEN submitted_on - 1 END",
                "agreed_by": "CASE WHEN status = 'draft' THEN '' WHEN age < 18 THEN 'representative' ELSE 'person' END",
                "agreed_by_name": "''",
                "cost_total": "total",
                "cost_weekly": "weekly",
                "cost_annual": "annual",
                "submitted_at": "CASE WHEN status <> 'draft' THEN submitted_at END",
                "decided_at": "CASE WHEN status NOT IN ('draft', 'submitted') THEN decided_at END",
                "approved_at": "CASE WHEN outcome = 'approved' THEN decided_at END",
                "activated_at": "CASE WHEN status IN ('active', 'closed', 'superseded') AND released_on IS NOT NULL "
                f"AND released_on <= coalesce(superseded_at::date, closed_on, {A}) "
                "THEN greatest(decided_at, released_on + interval '12 hours') END",
                "superseded_at": "superseded_at",
                "closed_at": "CASE WHEN status = 'closed' THEN closed_on + interval '16 hours' END",
                "return_comment": "CASE WHEN was_returned THEN 'Please add how the budget helps with goal 2.' ELSE '' END",
                "created_at": "created_on + interval '10 hours'",
                "modified_at": "coalesce(superseded_at, CASE WHEN status = 'closed' THEN closed_on + interval '16 hours' END,"
                " CASE WHEN outcome IN ('approved', 'declined') THEN decided_at END,"
                " CASE WHEN status <> 'draft' THEN submitted_at END, created_on + interval '10 hours')",
            },
            "FROM g_v3",
        )
        goals = [
            "To stay living in my own home",
            "To get out into the community every week",
            "To have a break from caring",
            "To manage my mood without going into hospital",
            "To get back into work or study",
            "To move around my home safely",
            "To keep in touch with my family",
            "To sleep through the night",
        ]
        goal_array = "(ARRAY[" + ", ".join(_lit(g) for g in goals) + "])"
        self.insert(
            cur,
            "support_plans.PlanGoal",
            {
                "id": "pid * 3 + k",
                "organisation_id": "org",
                "plan_id": "pid",
                "description": f"{goal_array}[1 + mod(floor({r('i', 50)} * 1000)::int + k, {len(goals)})]",
                "how_budget_helps": "'The budget pays for support chosen by the person'",
                "position": "k",
                "created_at": "created_on + interval '10 hours'",
                "modified_at": "created_on + interval '10 hours'",
            },
            f"FROM g_v3, generate_series(0, 2) k WHERE k < 1 + floor({r('i', 51)} * 3)::int",
        )
        self.insert(
            cur,
            "support_plans.PlanItem",
            {
                "id": "x.pid * 4 + x.j",
                "organisation_id": "x.org",
                "plan_id": "x.pid",
                "description": "x.description",
                "category": "x.category",
                "supplier_id": "CASE WHEN x.sup IS NOT NULL THEN x.org * 100 + x.sup END",
                "supplier_name": "coalesce(s.name, '')",
                "amount": "x.amount",
                "frequency": "x.frequency",
                "payment_method": "x.payment_method",
                "position": "x.j",
                "created_at": "x.created_on + interval '10 hours'",
                "modified_at": "x.created_on + interval '10 hours'",
            },
            "FROM g_item x JOIN g_v3 v ON v.pid = x.pid LEFT JOIN g_sup s ON s.k = x.sup",
        )
        self.insert(
            cur,
            "support_plans.PlanRisk",
            {
                "id": "pid",
                "organisation_id": "org",
                "plan_id": "pid",
                "risk": "'Support could break down if the personal assistant is ill'",
                "mitigation": "'A named agency provides cover at short notice'",
                "created_at": "created_on + interval '10 hours'",
                "modified_at": "created_on + interval '10 hours'",
            },
            f"FROM g_v3 WHERE {r('pid', 52)} < 0.6",
        )

    def approvals(self, cur):
        A, r = self.A, self.r
        # Request 2 * plan: the request that decided (or waits on) the version; 2 * plan + 1: an
        # earlier request that was returned for changes.
        common = {
            "organisation_id": "org",
            "plan_id": "pid",
            "person_id": "i",
            "policy_id": "org",
            "policy_version": "1",
            "tier": "tier",
            "basis": "basis",
            "measured_amount": "measured",
            "up_to": "up_to",
            "required": "required",
            "submitter_may_sign": "may_sign",
            "submitted_by_id": "cc_user",
        }
        self.insert(
            cur,
            "approvals.ApprovalRequest",
            {
                **common,
                "id": "pid * 2",
                "submitted_at": "submitted_at",
                "status": "CASE outcome WHEN 'pending' THEN 'pending' ELSE outcome END",
                "decided_at": "CASE WHEN outcome <> 'pending' THEN decided_at END",
                "created_at": "submitted_at",
                "modified_at": "CASE WHEN outcome <> 'pending' THEN decided_at ELSE submitted_at END",
            },
            "FROM g_v3 WHERE outcome <> 'draft'",
        )
        self.insert(
            cur,
            "approvals.ApprovalRequest",
            {
                **common,
                "id": "pid * 2 + 1",
                "submitted_at": "submitted_at - interval '7 days'",
                "status": "'returned'",
                "decided_at": "submitted_at - interval '3 days'",
                "created_at": "submitted_at - interval '7 days'",
                "modified_at": "submitted_at - interval '3 days'",
            },
            "FROM g_v3 WHERE outcome <> 'draft' AND was_returned",
        )
        who = (
            "CASE v.roles[s] WHEN 'care_coordinator' THEN CASE WHEN v.may_sign AND v.outcome = 'approved' "
            "THEN v.cc_user ELSE v.other_cc END "
            "WHEN 'team_lead' THEN v.tl_user "
            f"WHEN 'commissioner' THEN o.com_base + floor({r('v.pid', 80)} * o.com_n)::int "
            f"WHEN 'phb_lead' THEN o.phb_base + floor({r('v.pid', 81)} * o.phb_n)::int "
            f"WHEN 'lived_experience_reviewer' THEN o.lex_base + floor({r('v.pid', 82)} * o.lex_n)::int END"
        )
        self.insert(
            cur,
            "approvals.Decision",
            {
                "id": "v.pid * 8 + s",
                "organisation_id": "v.org",
                "request_id": "v.pid * 2",
                "user_id": who,
                "role": "v.roles[s]",
                "decision": "CASE WHEN v.outcome = 'declined' THEN 'decline' ELSE 'approve' END",
                "comment": "CASE WHEN v.outcome = 'declined' THEN 'Other funding is available for this support' ELSE '' END",
                "at": "CASE WHEN v.outcome = 'pending' THEN v.submitted_at + interval '1 day' "
                "ELSE v.submitted_at + (v.decided_at - v.submitted_at) * s / v.nsign END",
                "created_at": "v.submitted_at",
                "modified_at": "v.submitted_at",
            },
            f"""FROM g_v3 v JOIN g_org o ON o.id = v.org, generate_series(1, 3) s
            WHERE (v.outcome = 'approved' AND s <= v.nsign)
               OR (v.outcome = 'declined' AND s = 1)
               OR (v.outcome = 'pending' AND v.nsign = 3 AND s = 1 AND NOT v.forced
                   AND v.submitted_at + interval '1 day' <= {A} AND {r("v.pid", 83)} < 0.5)""",
        )
        self.insert(
            cur,
            "approvals.Decision",
            {
                "id": "v.pid * 8 + 5",
                "organisation_id": "v.org",
                "request_id": "v.pid * 2 + 1",
                "user_id": who.replace("v.roles[s]", "v.roles[1]"),
                "role": "v.roles[1]",
                "decision": "'return'",
                "comment": "'Please add how the budget helps with goal 2.'",
                "at": "v.submitted_at - interval '3 days'",
                "created_at": "v.submitted_at - interval '3 days'",
                "modified_at": "v.submitted_at - interval '3 days'",
            },
            "FROM g_v3 v JOIN g_org o ON o.id = v.org WHERE v.outcome <> 'draft' AND v.was_returned",
        )

    def payments(self, cur):
        A, r = self.A, self.r
        # Ledger first (account id = budget id), then the accounts with totals summed from it.
        # Releases: one, or two halves; payments: 2-16 spread over the account's life, together at
        # most 95% of what was released; a refund on some; a clawback on some closed accounts.
        self.step(
            cur,
            "g_led (ledger plan)",
            f"""CREATE UNLOGGED TABLE g_led AS
            SELECT a.i, a.org, a.plan_id, a.closed_on, a.released_on, a.paid_on, v.total AS approved,
                   v.management,
                   {r("a.i", 73)} < 0.3 AS two_releases,
                   2 + floor({r("a.i", 74)} * 15)::int AS npay,
                   coalesce(a.closed_on, {A}) AS horizon
            FROM g_acc a JOIN g_v3 v ON v.pid = a.plan_id
            WHERE a.released_on IS NOT NULL""",
        )
        self.sql(cur, "DROP TABLE IF EXISTS g_entry")
        self.step(
            cur,
            "g_entry (ledger entries)",
            f"""CREATE UNLOGGED TABLE g_entry AS
            SELECT e.* FROM (
              SELECT l.i * 20 + s AS id, l.i AS account_id, l.org, l.plan_id, 'release' AS kind,
                     CASE WHEN NOT l.two_releases THEN l.approved WHEN s = 0 THEN round(l.approved / 2, 2)
                          ELSE l.approved - round(l.approved / 2, 2) END AS amount,
                     CASE WHEN s = 0 THEN l.released_on
                          ELSE l.released_on + (l.horizon - l.released_on) / 2 END AS entry_date,
                     NULL::bigint AS reverses
              FROM g_led l, generate_series(0, 1) s
              WHERE s = 0 OR (l.two_releases AND l.horizon - l.released_on > 60)
              UNION ALL
              SELECT l.i * 20 + 2 + s, l.i, l.org, l.plan_id, 'payment',
                     greatest(0.01, round(l.approved * CASE WHEN l.two_releases AND l.horizon - l.released_on <= 60
                         THEN 0.5 ELSE 1 END * 0.95 * (0.4 + 0.6 * {r("l.i * 20 + s", 75)})::numeric / l.npay, 2)),
                     l.paid_on + ((l.horizon - l.paid_on) * s) / l.npay,
                     NULL
              FROM g_led l, generate_series(0, 15) s
              WHERE l.paid_on IS NOT NULL AND s < l.npay
            ) e""",
        )
        # Refunds reverse part of the first payment; clawbacks part of the first release.
        self.sql(
            cur,
            f"""INSERT INTO g_entry (id, account_id, org, plan_id, kind, amount, entry_date, reverses)
            SELECT p.account_id * 20 + 18, p.account_id, p.org, p.plan_id, 'refund',
                   greatest(0.01, round(p.amount * 0.2, 2)), least(p.entry_date + 10, {A}), p.id
            FROM g_entry p WHERE p.kind = 'payment' AND p.id = p.account_id * 20 + 2
              AND {r("p.account_id", 76)} < 0.08""",
        )
        self.sql(
            cur,
            f"""INSERT INTO g_entry (id, account_id, org, plan_id, kind, amount, entry_date, reverses)
            SELECT t.account_id * 20 + 19, t.account_id, t.org, t.plan_id, 'clawback',
                   round((t.released - t.paid) / 2, 2), l.closed_on, t.account_id * 20
            FROM (SELECT account_id, org, plan_id,
                         sum(amount) FILTER (WHERE kind = 'release') AS released,
                         coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0)
                           - coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS paid
                  FROM g_entry GROUP BY account_id, org, plan_id) t
            JOIN g_led l ON l.i = t.account_id
            JOIN g_entry f ON f.id = t.account_id * 20
            WHERE l.closed_on IS NOT NULL AND {r("t.account_id", 77)} < 0.3
              AND round((t.released - t.paid) / 2, 2) > 0
              AND round((t.released - t.paid) / 2, 2) <= f.amount""",
        )
        self.sql(cur, "ANALYZE g_entry")
        method = (
            "CASE l.management WHEN 'direct_payment' THEN 'bank_transfer' WHEN 'third_party' THEN 'paid_to_provider'"
            " ELSE 'purchased_by_organisation' END"
        )
        self.insert(
            cur,
            "payments.LedgerEntry",
            {
                "id": "e.id",
                "organisation_id": "e.org",
                "account_id": "e.account_id",
                "plan_id": "e.plan_id",
                "kind": "e.kind",
                "amount": "e.amount",
                "entry_date": "e.entry_date",
                "method": f"CASE WHEN e.kind = 'payment' THEN {method} ELSE '' END",
                "payee": "CASE WHEN e.kind = 'payment' THEN s.name ELSE '' END",
                "reference": "CASE WHEN e.kind = 'payment' THEN 'PAY-' || e.id ELSE '' END",
                "reason": "CASE e.kind WHEN 'refund' THEN 'Provider refunded a cancelled session' "
                "WHEN 'clawback' THEN 'Unspent funds returned when the budget closed' ELSE '' END",
                "reverses_id": "e.reverses",
                "receipt": "''",
                "receipt_content_type": "''",
                "created_at": "e.entry_date + interval '12 hours'",
                "modified_at": "e.entry_date + interval '12 hours'",
            },
            "FROM g_entry e JOIN g_led l ON l.i = e.account_id JOIN g_sup s ON s.k = mod(e.id, 20) ORDER BY e.id",
        )
        self.insert(
            cur,
            "payments.BudgetAccount",
            {
                "id": "a.i",
                "organisation_id": "a.org",
                "budget_id": "a.i",
                "person_id": "a.i",
                "plan_id": "a.plan_id",
                "approved": "v.total",
                "released": "coalesce(t.released, 0)",
                "paid": "coalesce(t.paid, 0)",
                "opened_at": "a.first_approved",
                "first_released_at": "a.released_on + interval '12 hours'",
                "first_paid_at": "a.paid_on + interval '12 hours'",
                "closed_on": "a.closed_on",
                "created_at": "a.first_approved",
                "modified_at": f"coalesce(a.closed_on, a.released_on, a.first_approved::date, {A}) + interval '12 hours'",
            },
            """FROM g_acc a JOIN g_v3 v ON v.pid = a.plan_id
            LEFT JOIN (SELECT account_id,
                         coalesce(sum(amount) FILTER (WHERE kind = 'release'), 0)
                           - coalesce(sum(amount) FILTER (WHERE kind = 'clawback'), 0) AS released,
                         coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0)
                           - coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS paid
                       FROM g_entry GROUP BY account_id) t ON t.account_id = a.i
            ORDER BY a.i""",
        )
        # Instalments: a window of the schedule of the first recurring item of each account in
        # use (two paid before the as-of date, two due after), not the whole schedule.
        self.insert(
            cur,
            "payments.Instalment",
            {
                "id": "x.pid * 16 + x.kk",
                "organisation_id": "x.org",
                "account_id": "x.i",
                "plan_id": "x.pid",
                "item_id": "x.pid * 4 + x.j",
                "due_on": "x.due_on",
                "amount": "x.amount",
                "status": f"CASE WHEN x.due_on <= {A} THEN 'paid' ELSE 'due' END",
                "created_at": "x.created_on + interval '10 hours'",
                "modified_at": "x.created_on + interval '10 hours'",
            },
            f"""FROM (
              SELECT it.*, k.k AS kk, CASE it.frequency WHEN 'monthly'
                       THEN (it.start_date + make_interval(months => k.n))::date
                       WHEN 'annually' THEN (it.start_date + make_interval(years => k.n))::date
                       ELSE it.start_date + k.n * CASE it.frequency WHEN 'weekly' THEN 7 WHEN 'fortnightly' THEN 14
                                                 ELSE 28 END END AS due_on
              FROM (
                SELECT DISTINCT ON (g.pid) g.*, v.status,
                  CASE g.frequency WHEN 'monthly' THEN (date_part('year', age({A}, g.start_date)) * 12
                                                       + date_part('month', age({A}, g.start_date)))::int
                    WHEN 'annually' THEN date_part('year', age({A}, g.start_date))::int
                    ELSE ({A} - g.start_date) / CASE g.frequency WHEN 'weekly' THEN 7 WHEN 'fortnightly' THEN 14
                                                ELSE 28 END END AS k0
                FROM g_item g JOIN g_v3 v ON v.pid = g.pid
                WHERE v.status = 'active' AND g.frequency <> 'one_off' ORDER BY g.pid, g.j
              ) it CROSS JOIN LATERAL (SELECT kk AS k, it.k0 + kk - 1 AS n FROM generate_series(0, 3) kk) k
              WHERE k.n >= 0 AND k.n < it.occ
            ) x""",
        )

    def reviews(self, cur):
        A, r = self.A, self.r
        self.sql(cur, "DROP TABLE IF EXISTS g_rev")
        self.step(
            cur,
            "g_rev (reviews)",
            f"""CREATE UNLOGGED TABLE g_rev AS
            SELECT x.*,
              CASE WHEN x.due_on < {A} - 10 AND {r("x.id", 91)} < 0.9 THEN 'completed'
                   WHEN x.closed_on IS NOT NULL THEN 'cancelled' ELSE 'scheduled' END AS status,
              least(x.due_on - 5 + floor({r("x.id", 92)} * 20)::int, {A}) AS done_on
            FROM (
              SELECT v.i * 4 + k AS id, v.i, v.org, v.pid, v.c1, v.closed_on, v.created_on, k,
                     v.start_date + (p.first_review_weeks * 7 + k * p.interval_weeks * 7) AS due_on,
                     CASE WHEN k = 0 THEN 'first' WHEN p.midpoint_and_end AND k = 1 THEN 'midpoint'
                          WHEN {r("v.i * 4 + k", 90)} < 0.05 THEN 'on_request' ELSE 'scheduled' END AS kind
              FROM g_v3 v JOIN reviews_reviewpolicy p ON p.organisation_id = v.org, generate_series(0, 3) k
              WHERE v.status IN ('active', 'approved', 'closed')
            ) x
            WHERE x.due_on <= {A} + 120 AND (x.closed_on IS NULL OR x.due_on <= x.closed_on)""",
        )
        self.insert(
            cur,
            "reviews.Review",
            {
                "id": "id",
                "organisation_id": "org",
                "budget_id": "i",
                "plan_id": "pid",
                "person_id": "i",
                "kind": "kind",
                "due_on": "due_on",
                "status": "status",
                "requested_by": "CASE WHEN kind = 'on_request' THEN 'The person' ELSE '' END",
                "held_on": "CASE WHEN status = 'completed' THEN done_on END",
                "completed_on": "CASE WHEN status = 'completed' THEN done_on END",
                "working": "CASE WHEN status = 'completed' THEN 'Support at home is reliable' ELSE '' END",
                "not_working": "CASE WHEN status = 'completed' THEN 'Evenings are still hard' ELSE '' END",
                "decision": f"CASE WHEN status <> 'completed' THEN '' WHEN {r('id', 93)} < 0.9 THEN 'continue' "
                "ELSE 'revise' END",
                "notes": "''",
                "created_at": "created_on + interval '10 hours'",
                "modified_at": "CASE WHEN status = 'completed' THEN done_on ELSE created_on END + interval '10 hours'",
            },
            "FROM g_rev ORDER BY id",
        )
        self.insert(
            cur,
            "reviews.OutcomeMeasure",
            {
                "id": "id",
                "organisation_id": "org",
                "review_id": "id",
                "person_id": "i",
                "instrument": "CASE WHEN c1 IN ('mental_health', 's117') THEN 'ReQoL-10' ELSE 'SWEMWBS' END",
                "score": f"CASE WHEN c1 IN ('mental_health', 's117') THEN 12 + floor({r('id', 94)} * 24) "
                f"ELSE 14 + floor({r('id', 94)} * 16) END + k * 1.5",
                "recorded_on": "done_on",
                "created_at": "done_on + interval '12 hours'",
                "modified_at": "done_on + interval '12 hours'",
            },
            "FROM g_rev WHERE status = 'completed' ORDER BY id",
        )
        self.insert(
            cur,
            "reviews.GoalAttainment",
            {
                "id": "id",
                "organisation_id": "org",
                "review_id": "id",
                "goal_id": "pid * 3",
                "attainment": _pick(r("id", 95), [("-2", 5), ("-1", 15), ("0", 45), ("1", 25), ("2", 10)]),
                "comment": "''",
                "created_at": "done_on + interval '12 hours'",
                "modified_at": "done_on + interval '12 hours'",
            },
            "FROM g_rev WHERE status = 'completed' ORDER BY id",
        )

    def audit(self, cur):
        """The person's timeline: the referral received and each plan version submitted and approved."""
        self.insert(
            cur,
            "phb.AuditEvent",
            {
                "id": "i * 8",
                "organisation_id": "org",
                "at": "received_on + interval '10 hours'",
                "actor_id": "NULL",
                "action": "'referral_received'",
                "object_type": "'referral'",
                "object_id": "i::text",
                "person_id": "i",
                "summary": "'Referral received'",
            },
            "FROM g_p ORDER BY g_p.i",
        )
        self.insert(
            cur,
            "phb.AuditEvent",
            {
                "id": "i * 8 + 1 + slot * 2 + e",
                "organisation_id": "org",
                "at": "CASE WHEN e = 0 THEN submitted_at ELSE decided_at END",
                "actor_id": "cc_user",
                "action": "CASE WHEN e = 0 THEN 'plan_submitted' ELSE 'plan_' || outcome END",
                "object_type": "'supportplan'",
                "object_id": "pid::text",
                "person_id": "i",
                "summary": "CASE WHEN e = 0 THEN 'Support plan version ' || vnum || ' submitted for approval' "
                "ELSE 'Support plan version ' || vnum || ' ' || outcome END",
            },
            "FROM g_v3, generate_series(0, 1) e WHERE outcome <> 'draft' AND (e = 0 OR outcome IN ('approved', 'declined')) "
            "ORDER BY g_v3.i, g_v3.slot, e",
        )

    def finish(self, cur, seconds: float):
        # Sequences past the explicit ids, so the app's own inserts do not collide.
        tables = [*self.tables(), "auth_user"]
        for table in tables:
            cur.execute(
                "SELECT pg_get_serial_sequence(%s, 'id') FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s AND column_name = 'id'",
                [table, table],
            )
            row = cur.fetchone()
            if row and row[0]:
                cur.execute(
                    f"SELECT setval('{row[0]}', coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
        if self.superuser:
            self.sql(cur, "SET session_replication_role = DEFAULT")
        for name in STAGING:
            self.sql(cur, f"DROP TABLE IF EXISTS {name}")
        started = time.monotonic()
        self.flush(cur, [(f"analyze {t}", f"ANALYZE {t}", None) for t in [*self.tables(), "auth_user"]])
        self.out(f"  {'analyze':<34} {'':>11}      {time.monotonic() - started:8.1f} s")
        self.sql(
            cur,
            f"""CREATE TABLE IF NOT EXISTS {MARKER} (id int PRIMARY KEY, people int, orgs int, seed int,
            as_of date, bench_pending int, finished_at timestamptz, seconds float8)""",
        )
        self.sql(
            cur,
            f"""INSERT INTO {MARKER} VALUES (1, %s, %s, %s, %s, %s, now(), %s)
            ON CONFLICT (id) DO UPDATE SET people = EXCLUDED.people, orgs = EXCLUDED.orgs, seed = EXCLUDED.seed,
              as_of = EXCLUDED.as_of, bench_pending = EXCLUDED.bench_pending, finished_at = now(),
              seconds = EXCLUDED.seconds""",
            [self.people, self.n_orgs, self.seed, self.as_of, self.bench_pending, seconds],
        )


def default_as_of() -> date:
    return date.today() - timedelta(days=0)
