"""The SQL floor: hand-written SQL computing the dashboard's and the quarterly return's figures.

The same definitions as reporting/selectors.py and reporting/dashboard.py (PHB in place on D,
first approval, the panels), written as a few set-based statements and run directly with
psycopg on the same database: what the pages cannot beat. The benchmark reports each page's
median time divided by this floor's.
"""

# The SQL is assembled from constant fragments and integers only; values go in as parameters.
# ruff: noqa: S608

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg

LOCAL = ZoneInfo("Europe/London")
_conn = None


def conn():
    global _conn
    if _conn is None:
        url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/phb_bench")
        _conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)
    return _conn


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    following = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return following - timedelta(days=1)


def last_complete_quarter(today: date) -> str:
    day = quarter_start(today) - timedelta(days=1)
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> tuple[date, date]:
    year, q = int(text[:4]), int(text[5])
    start = date(year, 3 * (q - 1) + 1, 1)
    return start, quarter_end(start)


def cutoff(day: date, years: int) -> date:
    """Born after this date: younger than `years` on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


IN_PLACE = """
    SELECT p.id, p.organisation_id, p.person_id, p.budget_id, p.management, p.cost_total,
           p.funded_nhs, p.funded_social_care, p.approved_at
    FROM support_plans_supportplan p JOIN support_plans_budget b ON b.id = p.budget_id
    WHERE p.organisation_id = ANY(%(orgs)s) AND b.organisation_id = ANY(%(orgs)s) AND p.approved_at < %(end)s
      AND (b.closed_on IS NULL OR b.closed_on > %(d)s)
      AND (p.superseded_at IS NULL OR p.superseded_at >= %(end)s)
      AND p.status NOT IN ('draft', 'submitted', 'declined')
"""
FIRST_APPROVED = """
    SELECT p.id, p.organisation_id, p.person_id, p.management, p.funded_nhs, p.funded_social_care
    FROM support_plans_supportplan p
    WHERE p.organisation_id = ANY(%(orgs)s) AND p.approved_at >= %(from)s AND p.approved_at < %(end)s
      AND p.status NOT IN ('draft', 'submitted', 'declined')
      AND NOT EXISTS (SELECT 1 FROM support_plans_supportplan e
                      WHERE e.budget_id = p.budget_id AND e.approved_at < p.approved_at)
"""


def dashboard(org_id: int, day: date) -> list:
    """Every figure of the organisation dashboard, in five statements."""
    end = end_of_day(day)
    params = {
        "orgs": [org_id],
        "d": day,
        "end": end,
        "from": datetime.combine(quarter_start(day), time.min, tzinfo=LOCAL),
        "c18": cutoff(day, 18),
        "c25": cutoff(day, 25),
        "c35": cutoff(day, 35),
        "c45": cutoff(day, 45),
        "c65": cutoff(day, 65),
        "waited": datetime.combine(day - timedelta(days=14), time.min, tzinfo=LOCAL),
    }
    ends = []
    point = day
    for _ in range(8):
        ends.append(point)
        point = quarter_start(point) - timedelta(days=1)
    out = []
    with conn().cursor() as cur:
        cur.execute(
            f"""WITH ip AS MATERIALIZED ({IN_PLACE}),
            holders AS MATERIALIZED (SELECT person_id, sum(cost_total) AS amount FROM ip GROUP BY person_id),
            weights AS (SELECT i.plan_id, i.category,
                          i.amount * CASE i.frequency WHEN 'weekly' THEN 52 WHEN 'fortnightly' THEN 26
                            WHEN 'four_weekly' THEN 13 WHEN 'monthly' THEN 12 ELSE 1 END AS w
                        FROM support_plans_planitem i JOIN ip ON ip.id = i.plan_id)
            SELECT 'in_place', '', count(*)::numeric FROM ip
            UNION ALL SELECT 'management', management, count(*) FROM ip GROUP BY management
            UNION ALL SELECT 'cohort', c.cohort, count(DISTINCT ip.id) FROM ip
                      JOIN phb_personcohort c ON c.person_id = ip.person_id GROUP BY c.cohort
            UNION ALL SELECT 'spend', 'total', sum(amount) FROM holders
            UNION ALL SELECT 'spend', 'people', count(*) FROM holders
            UNION ALL SELECT 'spend', 'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY amount)::numeric FROM holders
            UNION ALL (SELECT 'spend', 'mode ' || amount, count(*) FROM holders GROUP BY amount
                       ORDER BY count(*) DESC, amount DESC LIMIT 1)
            UNION ALL SELECT 'category', w.category, round(sum(ip.cost_total * w.w / t.total), 2)
                      FROM weights w JOIN (SELECT plan_id, sum(w) AS total FROM weights GROUP BY plan_id) t
                        ON t.plan_id = w.plan_id JOIN ip ON ip.id = w.plan_id GROUP BY w.category
            UNION ALL SELECT 'paid', e.kind, sum(e.amount) FROM payments_ledgerentry e
                      JOIN (SELECT DISTINCT budget_id FROM ip) b ON b.budget_id = e.account_id
                      WHERE e.organisation_id = %(orgs)s[1] AND e.entry_date <= %(d)s
                        AND e.kind IN ('payment', 'refund') GROUP BY e.kind
            UNION ALL SELECT 'age_gender', CASE WHEN pe.date_of_birth > %(c18)s THEN '0-17'
                        WHEN pe.date_of_birth > %(c25)s THEN '18-24' WHEN pe.date_of_birth > %(c35)s THEN '25-34'
                        WHEN pe.date_of_birth > %(c45)s THEN '35-44' WHEN pe.date_of_birth > %(c65)s THEN '45-64'
                        ELSE '65+' END || ' ' || pe.gender, count(*)
                      FROM holders h JOIN phb_person pe ON pe.id = h.person_id GROUP BY 2
            UNION ALL SELECT 'ethnicity', pe.ethnicity, count(*)
                      FROM holders h JOIN phb_person pe ON pe.id = h.person_id GROUP BY 2
            UNION ALL SELECT 'unfunded', ip.id::text, ip.cost_total FROM ip
                      LEFT JOIN payments_budgetaccount a ON a.budget_id = ip.budget_id
                      WHERE ip.approved_at < %(waited)s AND (a.first_released_at IS NULL OR a.first_released_at >= %(end)s)
            """,
            params,
        )
        out.append(cur.fetchall())
        cur.execute(
            f"""SELECT p.id, pe.given_name, pe.family_name, pe.nhs_number FROM ({IN_PLACE}) p
            JOIN payments_budgetaccount a ON a.budget_id = p.budget_id JOIN phb_person pe ON pe.id = p.person_id
            WHERE p.approved_at < %(waited)s AND a.first_released_at IS NULL ORDER BY p.approved_at, p.id""",
            params,
        )
        out.append(cur.fetchall())
        trajectory = ", ".join(
            f"count(*) FILTER (WHERE p.approved_at < %(e{i})s AND (b.closed_on IS NULL OR b.closed_on > %(d{i})s)"
            f" AND (p.superseded_at IS NULL OR p.superseded_at >= %(e{i})s)"
            " AND p.status NOT IN ('draft', 'submitted', 'declined'))"
            for i in range(len(ends))
        )
        for i, point in enumerate(ends):
            params[f"e{i}"], params[f"d{i}"] = end_of_day(point), point
        cur.execute(
            f"""SELECT {trajectory},
                   count(DISTINCT p.budget_id) FILTER (WHERE p.submitted_at < %(end)s),
                   count(DISTINCT p.budget_id) FILTER (WHERE p.approved_at < %(end)s)
            FROM support_plans_supportplan p JOIN support_plans_budget b ON b.id = p.budget_id
            WHERE p.organisation_id = %(orgs)s[1] AND b.organisation_id = %(orgs)s[1]""",
            params,
        )
        out.append(cur.fetchall())
        cur.execute(
            """SELECT (SELECT count(*) FROM referrals_referral WHERE organisation_id = %(orgs)s[1] AND received_on <= %(d)s),
                      (SELECT count(*) FROM referrals_conversation WHERE organisation_id = %(orgs)s[1] AND held_on <= %(d)s),
                      a.released, a.paid, r.due, r.overdue, r.completed
            FROM (SELECT count(*) FILTER (WHERE first_released_at < %(end)s) AS released,
                         count(*) FILTER (WHERE first_paid_at < %(end)s) AS paid
                  FROM payments_budgetaccount WHERE organisation_id = %(orgs)s[1]) a,
                 (SELECT count(*) FILTER (WHERE (completed_on IS NULL OR completed_on > %(d)s) AND due_on >= %(d)s) AS due,
                         count(*) FILTER (WHERE (completed_on IS NULL OR completed_on > %(d)s) AND due_on < %(d)s) AS overdue,
                         count(*) FILTER (WHERE completed_on <= %(d)s) AS completed
                  FROM reviews_review WHERE organisation_id = %(orgs)s[1] AND created_at < %(end)s
                    AND status <> 'cancelled') r""",
            params,
        )
        out.append(cur.fetchall())
        cur.execute(
            f"""WITH first AS (SELECT budget_id, min(approved_at) AS approved_at FROM support_plans_supportplan
                           WHERE organisation_id = %(orgs)s[1] AND approved_at IS NOT NULL GROUP BY budget_id),
                 ref AS (SELECT r.received_on, min(p.approved_at) AS approved_at FROM referrals_referral r
                         JOIN support_plans_supportplan p ON p.referral_id = r.id
                         WHERE r.organisation_id = %(orgs)s[1] GROUP BY r.id, r.received_on)
            SELECT 'referral', percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY
                     ((approved_at AT TIME ZONE 'Europe/London')::date - received_on)), count(*)
              FROM ref WHERE approved_at < %(end)s
            UNION ALL SELECT 'decision', percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY
                     extract(epoch FROM decided_at - submitted_at)), count(*)
              FROM approvals_approvalrequest WHERE organisation_id = %(orgs)s[1] AND decided_at < %(end)s
            UNION ALL SELECT 'release', percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY
                     extract(epoch FROM a.first_released_at - f.approved_at)), count(*)
              FROM payments_budgetaccount a JOIN first f ON f.budget_id = a.budget_id
              WHERE a.organisation_id = %(orgs)s[1] AND a.first_released_at < %(end)s
            UNION ALL SELECT 'payment', percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY
                     extract(epoch FROM a.first_paid_at - f.approved_at)), count(*)
              FROM payments_budgetaccount a JOIN first f ON f.budget_id = a.budget_id
              WHERE a.organisation_id = %(orgs)s[1] AND a.first_paid_at < %(end)s
            UNION ALL SELECT 'new', NULL, count(*) FROM ({FIRST_APPROVED}) n""",
            params,
        )
        out.append(cur.fetchall())
    return out


def quarterly_return(org_ids: list[int], quarter: str, today: date | None = None) -> list:
    """Markers of progress and the DAPB2184 breakdowns for each organisation, in one statement."""
    today = today or date.today()
    _start, end = parse_quarter(quarter)
    as_of = min(end, today)
    fy_start = date(as_of.year if as_of.month >= 4 else as_of.year - 1, 4, 1)
    params = {
        "orgs": org_ids,
        "d": as_of,
        "end": end_of_day(as_of),
        "from": datetime.combine(fy_start, time.min, tzinfo=LOCAL),
        "c18": cutoff(as_of, 18),
    }
    with conn().cursor() as cur:
        cur.execute(
            f"""WITH active AS MATERIALIZED ({IN_PLACE}),
                 received AS MATERIALIZED ({FIRST_APPROVED}),
                 tagged AS (
                   SELECT 'active' AS measure, x.organisation_id, x.id, x.person_id, x.management,
                          pe.date_of_birth > %(c18)s AS child, x.funded_nhs AND x.funded_social_care AS joint,
                          EXISTS (SELECT 1 FROM phb_personcohort c WHERE c.person_id = x.person_id AND c.cohort = 'chc') AS chc
                   FROM active x JOIN phb_person pe ON pe.id = x.person_id
                   UNION ALL
                   SELECT 'received', x.organisation_id, x.id, x.person_id, x.management,
                          pe.date_of_birth > %(c18)s, x.funded_nhs AND x.funded_social_care,
                          EXISTS (SELECT 1 FROM phb_personcohort c WHERE c.person_id = x.person_id AND c.cohort = 'chc')
                   FROM received x JOIN phb_person pe ON pe.id = x.person_id)
            SELECT organisation_id, measure, 'marker',
                   CASE WHEN child THEN 'children' WHEN joint THEN 'joint_funded' WHEN chc THEN 'nhs_funded_chc'
                        ELSE 'ltc_inc_mh' END, count(*)
              FROM tagged WHERE measure = 'active' GROUP BY 1, 2, 3, 4
            UNION ALL SELECT organisation_id, measure, 'age', CASE WHEN child THEN 'children' ELSE 'adults' END, count(*)
              FROM tagged GROUP BY 1, 2, 3, 4
            UNION ALL SELECT organisation_id, measure, 'adults_chc', '', count(*) FILTER (WHERE chc AND NOT child)
              FROM tagged GROUP BY 1, 2, 3, 4
            UNION ALL SELECT organisation_id, measure, 'management', management, count(*) FROM tagged GROUP BY 1, 2, 3, 4
            UNION ALL SELECT t.organisation_id, t.measure, 'cohort', c.cohort, count(DISTINCT t.id)
              FROM tagged t JOIN phb_personcohort c ON c.person_id = t.person_id GROUP BY 1, 2, 3, 4""",
            params,
        )
        return cur.fetchall()


def pending_requests_for(org_id: int, user_id: int, limit: int) -> list[tuple[int, str]]:
    """Pending requests the user may sign, with a role whose slot is still open (newest last)."""
    with conn().cursor() as cur:
        cur.execute(
            """SELECT r.id, s.value ->> 'role'
            FROM approvals_approvalrequest r
            CROSS JOIN LATERAL jsonb_array_elements(r.required) s
            WHERE r.organisation_id = %s AND r.status = 'pending' AND r.submitted_by_id <> %s
              AND NOT EXISTS (SELECT 1 FROM approvals_decision d WHERE d.request_id = r.id AND d.user_id = %s)
              AND (SELECT count(*) FROM approvals_decision d WHERE d.request_id = r.id
                   AND d.role = s.value ->> 'role' AND d.decision = 'approve') < (s.value ->> 'count')::int
            ORDER BY r.id DESC""",
            [org_id, user_id, user_id],
        )
        seen, rows = set(), []
        for request_id, role in cur.fetchall():
            if request_id not in seen:
                seen.add(request_id)
                rows.append((request_id, role))
        return rows[:limit]
