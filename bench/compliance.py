"""Speed of the 三会一课 compliance report over every organization, against one hand-written SQL
statement that gives the same answer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partybuild_bench_compliance \\
        .venv/bin/python bench/compliance.py [--orgs 10000 --members 300000 --repeat 5]

Creates the database named in DATABASE_URL if it is missing (its name must contain "bench": it is
dropped and reloaded when it holds another size or an older generator), migrates it, loads the
roster (bench/datagen.py) and one year of meetings with attendance (bench/compliance_datagen.py,
the previous calendar year by default, so that every period has ended), and VACUUM ANALYZEs.
Loading is not timed with the measurements.

Then, for a month (November), a quarter (Q4) and the whole year, over all organizations:

  (1) ``meetings.selectors.compliance(Organization.objects.all(), period)`` end to end, the
      Python report included: median of --repeat runs, CPU time, query count, and the time its
      queries took in PostgreSQL (one extra, instrumented run);
  (2) one hand-written SQL statement (``HAND_SQL``, a raw cursor, rows fetched) that computes the
      same thing in PostgreSQL: per organization and counted type the meetings held and required,
      the units judged and the state; per organization its state (a 党支部's with its 党小组) and the
      党支部 at or below it that are compliant or not; same repeats, median;
  (3) for reference, the bare aggregate (``COUNTS_SQL``): held meetings per (organization, counted
      type, month).

The runs of (1), (2) and (3) alternate, so a change in the machine's load touches all three.
The report's answer must equal (2)'s row for row, and its held counts (3)'s: the script says
"same answer" and fails otherwise. Target from the issue: (1) within 2 x (2). Every connection
passes ``-c random_page_cost=1.1`` as production does (bench/roster_pages.py). The table goes to
stdout; the last line is one JSON object with every figure. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.roster_pages import (  # noqa: E402
    PRODUCTION_RANDOM_PAGE_COST,
    _admin_dsn,
    _cell,
    _create_database,
    _migrate,
    _QueryCounter,
    _read_meta,
    _use_random_page_cost,
    _write_meta,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/partybuild_bench_compliance"
MAX_RATIO = 2.0

# One statement, the report's rules written in SQL (see the docstring of meetings/compliance/selectors.py):
# the sub-periods of the period (months, quarters, the year), each judged by the rule in force on
# its first day when that rule's period kind is the sub-period's and its minimum above 0; an
# organization is judged for the units it lived through to their end; held meetings counted by
# their local date through MeetingCredit; a 党支部 with nothing judged in the period is not
# counted in the shares above it. Parameters: start, end, months (of the period), today,
# steplen; the (kind, type) pairs come from TYPES_FOR_KIND.
HAND_SQL = """
WITH kind_types(org_kind, meeting_type) AS (VALUES {kind_types}),
period_units AS MATERIALIZED (
    SELECT 'month' AS unit_kind, (%(start)s::date + make_interval(months => i))::date AS unit_start,
        (%(start)s::date + make_interval(months => i + 1) - interval '1 day')::date AS unit_end
    FROM generate_series(0, %(months)s - 1, 1) AS i
    UNION ALL
    SELECT 'quarter', (%(start)s::date + make_interval(months => i))::date,
        (%(start)s::date + make_interval(months => i + 3) - interval '1 day')::date
    FROM generate_series(0, %(months)s - 3, 3) AS i
    UNION ALL
    SELECT 'year', %(start)s::date, %(end)s::date FROM generate_series(0, %(months)s - 12, 12) AS i
),
cell_units AS MATERIALIZED (
    SELECT kt.org_kind, kt.meeting_type, array_agg(pu.unit_kind) AS kinds,
        array_agg(extract(month FROM pu.unit_start)::int) AS first_months, array_agg(pu.unit_end) AS ends,
        array_agg(r.min_count) AS minimums
    FROM kind_types kt
    CROSS JOIN period_units pu
    CROSS JOIN LATERAL (
        SELECT fr.period_kind, fr.min_count FROM meetings_frequencyrule fr
        WHERE fr.org_kind = kt.org_kind AND fr.meeting_type = kt.meeting_type AND fr.effective_from <= pu.unit_start
        ORDER BY fr.effective_from DESC LIMIT 1
    ) r
    WHERE r.period_kind = pu.unit_kind AND r.min_count > 0
    GROUP BY 1, 2
),
orgs AS MATERIALIZED (
    SELECT id, kind, path, founded_on, dissolved_on FROM branches_organization
    WHERE (founded_on IS NULL OR founded_on <= %(end)s) AND (status = 'active' OR dissolved_on >= %(start)s)
),
held AS (
    SELECT m.org_id, m.meeting_type, sum(m.n) AS held, ARRAY[{by_month}] AS by_month
    FROM (
        SELECT m.organization_id AS org_id, c.meeting_type, extract(month FROM m.held_on)::int AS mon, count(*) AS n
        FROM meetings_meetingcredit c JOIN meetings_meeting m ON m.id = c.meeting_id
        WHERE m.status = 'held' AND m.held_on BETWEEN %(start)s AND %(end)s
        GROUP BY 1, 2, 3
    ) m
    GROUP BY 1, 2
),
cells AS MATERIALIZED (
    SELECT o.id AS org_id, kt.meeting_type, COALESCE(h.held, 0) AS held, j.required, j.units,
        CASE WHEN j.units = 0 THEN 'none' WHEN j.failed > 0 THEN 'failed' WHEN j.met = j.units THEN 'met' ELSE 'due' END
            AS state
    FROM orgs o
    JOIN kind_types kt ON kt.org_kind = o.kind
    LEFT JOIN cell_units cu ON cu.org_kind = o.kind AND cu.meeting_type = kt.meeting_type
    LEFT JOIN held h ON h.org_id = o.id AND h.meeting_type = kt.meeting_type
    CROSS JOIN LATERAL (
        SELECT COALESCE(sum(x.minimum), 0) AS required, count(*) AS units,
            count(*) FILTER (WHERE x.n >= x.minimum) AS met,
            count(*) FILTER (WHERE x.n < x.minimum AND x.unit_end < %(today)s) AS failed
        FROM (
            SELECT y.minimum, y.unit_end, COALESCE(CASE y.kind WHEN 'month' THEN h.by_month[y.first_month]
                WHEN 'quarter' THEN h.by_month[y.first_month] + h.by_month[y.first_month + 1] + h.by_month[y.first_month + 2]
                ELSE h.held END, 0) AS n
            FROM unnest(cu.kinds, cu.first_months, cu.ends, cu.minimums) AS y(kind, first_month, unit_end, minimum)
            WHERE (o.founded_on IS NULL OR o.founded_on <= y.unit_end) AND (o.dissolved_on IS NULL OR o.dissolved_on > y.unit_end)
        ) x
    ) j
    WHERE h.held IS NOT NULL OR j.units > 0
),
own_state AS MATERIALIZED (
    SELECT o.id, o.kind, o.path, count(c.state) FILTER (WHERE c.state <> 'none') AS judged,
        count(c.state) FILTER (WHERE c.state = 'failed') AS failed, count(c.state) FILTER (WHERE c.state = 'met') AS met
    FROM orgs o LEFT JOIN cells c ON c.org_id = o.id
    GROUP BY o.id, o.kind, o.path
),
org_state AS MATERIALIZED (
    SELECT s.id, s.kind, s.path,
        CASE WHEN s.judged + COALESCE(sum(g.judged), 0) = 0 THEN 'none'
             WHEN s.failed + COALESCE(sum(g.failed), 0) > 0 THEN 'failed'
             WHEN s.met + COALESCE(sum(g.met), 0) = s.judged + COALESCE(sum(g.judged), 0) THEN 'met'
             ELSE 'due' END AS state
    FROM own_state s LEFT JOIN own_state g ON g.kind = 'group' AND left(g.path, -%(steplen)s) = s.path
    GROUP BY s.id, s.kind, s.path, s.judged, s.failed, s.met
),
rollup AS (
    SELECT left(b.path, n) AS path, count(*) AS total, count(*) FILTER (WHERE b.state = 'met') AS met,
        count(*) FILTER (WHERE b.state = 'failed') AS failed
    FROM org_state b
    CROSS JOIN LATERAL generate_series(%(steplen)s, length(b.path), %(steplen)s) AS n
    WHERE b.kind = 'branch' AND b.state <> 'none'
    GROUP BY 1
)
SELECT org_id, meeting_type, held, required, units, state FROM cells
UNION ALL
SELECT s.id, NULL, COALESCE(r.total, 0), COALESCE(r.met, 0), COALESCE(r.failed, 0), s.state
FROM org_state s LEFT JOIN rollup r ON r.path = s.path
"""

# The bare aggregate the report is built on: held meetings per (organization, counted type, month).
COUNTS_SQL = """
SELECT m.organization_id, c.meeting_type, extract(month FROM m.held_on)::int, count(*)
FROM meetings_meetingcredit c JOIN meetings_meeting m ON m.id = c.meeting_id
WHERE m.status = 'held' AND m.held_on BETWEEN %(start)s AND %(end)s
GROUP BY 1, 2, 3
"""

CellKey = tuple[int, str]
Answer = tuple[dict[CellKey, tuple[int, int, int, str]], dict[int, tuple[int, int, int, str]]]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def hand_sql() -> str:
    from meetings.models import TYPES_FOR_KIND

    pairs = ", ".join(f"('{kind}', '{t}')" for kind, types in TYPES_FOR_KIND.items() for t in types)
    by_month = ", ".join(f"COALESCE(sum(m.n) FILTER (WHERE m.mon = {month}), 0)" for month in range(1, 13))
    return HAND_SQL.format(kind_types=pairs, by_month=by_month)


def _params(period: Any, today: datetime.date) -> dict[str, Any]:
    from branches.models import Organization

    return {
        "start": period.start,
        "end": period.end,
        "months": period.kind.months,
        "today": today,
        "steplen": Organization.steplen,
    }


# --- the three measurements -----------------------------------------------------------------------


def run_report(period: Any, today: datetime.date) -> Any:
    from branches.models import Organization
    from meetings.compliance.selectors import compliance

    return compliance(Organization.objects.all(), period, today=today)


def run_hand_sql(sql: str, period: Any, today: datetime.date) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, _params(period, today))
        return cur.fetchall()


def run_counts_sql(period: Any) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(COUNTS_SQL, {"start": period.start, "end": period.end})
        return cur.fetchall()


# --- comparing the answers ------------------------------------------------------------------------


def report_answer(report: Any) -> Answer:
    cells = {}
    orgs = {}
    for row in report.rows:
        for meeting_type, cell in row.cells.items():
            if cell.held or cell.units:
                cells[(row.pk, meeting_type)] = (cell.held, cell.required, len(cell.units), cell.state)
        orgs[row.pk] = (row.branches_total, row.branches_met, row.branches_failed, row.state)
    return cells, orgs


def sql_answer(rows: list[tuple]) -> Answer:
    cells = {}
    orgs = {}
    for org_id, meeting_type, a, b, c, state in rows:
        if meeting_type is None:
            orgs[org_id] = (int(a), int(b), int(c), state)
        else:
            cells[(org_id, meeting_type)] = (int(a), int(b), int(c), state)
    return cells, orgs


def counts_by_cell(rows: list[tuple], report: Any) -> dict[CellKey, int]:
    """The bare aggregate summed over the period's months, for the types each organization holds."""
    from meetings.models import TYPES_FOR_KIND

    kinds = {r.pk: r.kind for r in report.rows}
    held: dict[CellKey, int] = {}
    for org_id, meeting_type, _month, n in rows:
        if meeting_type in TYPES_FOR_KIND.get(kinds.get(org_id, ""), ()):
            held[(org_id, meeting_type)] = held.get((org_id, meeting_type), 0) + n
    return held


def differences(expected: dict, got: dict, limit: int = 5) -> list[str]:
    out = []
    for key in sorted(set(expected) | set(got), key=str):
        if expected.get(key) != got.get(key):
            out.append(f"{key}: 报表 {expected.get(key)} / SQL {got.get(key)}")
            if len(out) >= limit:
                break
    return out


# --- the run ----------------------------------------------------------------------------------------


@dataclass
class Result:
    period: str
    label: str
    orgs: int  # rows of the report: organizations that existed in the period
    cells: int  # (organization, type) with meetings held or required
    report_ms: float  # median, end to end
    report_min_ms: float
    report_cpu_ms: float  # median CPU time of this process: the Python side of the report
    report_sql_ms: float  # the report's queries in PostgreSQL, one instrumented run
    queries: int
    sql_ms: float  # the hand-written statement, median
    sql_min_ms: float
    counts_sql_ms: float  # the bare aggregate, median
    ratio: float  # report_ms / sql_ms: the target
    ratio_counts: float  # report_ms / counts_sql_ms, for reference
    same_answer: bool
    same_counts: bool
    met_share: float  # of the judged 党支部, the share compliant
    units_met_share: float  # of the judged units of all organizations, the share met
    ok: bool


def measure(period: Any, repeat: int, today: datetime.date, sql: str) -> tuple[Result, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Warm-up, and the answers compared.
    report = run_report(period, today)
    hand_rows = run_hand_sql(sql, period, today)
    counts_rows = run_counts_sql(period)
    expected = report_answer(report)
    got = sql_answer(hand_rows)
    problems = differences(expected[0], got[0]) + differences(expected[1], got[1])
    held_expected = {key: value[0] for key, value in expected[0].items() if value[0]}
    held_got = counts_by_cell(counts_rows, report)
    problems += [f"计数 {p}" for p in differences(held_expected, held_got)]

    report_times, report_cpu, sql_times, counts_times = [], [], [], []
    most_queries = 0
    for _ in range(repeat):
        counter = _QueryCounter()
        with connection.execute_wrapper(counter):
            cpu_started = time.process_time()
            started = time.perf_counter()
            run_report(period, today)
            report_times.append((time.perf_counter() - started) * 1000)
            report_cpu.append((time.process_time() - cpu_started) * 1000)
        most_queries = max(most_queries, counter.count)
        started = time.perf_counter()
        run_hand_sql(sql, period, today)
        sql_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        run_counts_sql(period)
        counts_times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        run_report(period, today)
    most_queries = max(most_queries, len(captured.captured_queries))
    report_sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000

    branches = [r for r in report.rows if r.kind == "branch" and r.state in ("met", "failed")]
    units = [u for r in report.rows for c in r.cells.values() for u in c.units]
    report_ms, sql_ms, counts_ms = (statistics.median(t) for t in (report_times, sql_times, counts_times))
    same_answer = not any(not p.startswith("计数") for p in problems)
    same_counts = not any(p.startswith("计数") for p in problems)
    result = Result(
        period=str(period),
        label=period.label,
        orgs=len(report.rows),
        cells=len(expected[0]),
        report_ms=round(report_ms, 1),
        report_min_ms=round(min(report_times), 1),
        report_cpu_ms=round(statistics.median(report_cpu), 1),
        report_sql_ms=round(report_sql_ms, 1),
        queries=most_queries,
        sql_ms=round(sql_ms, 1),
        sql_min_ms=round(min(sql_times), 1),
        counts_sql_ms=round(counts_ms, 1),
        ratio=round(report_ms / sql_ms, 2),
        ratio_counts=round(report_ms / counts_ms, 2),
        same_answer=same_answer,
        same_counts=same_counts,
        met_share=round(sum(r.state == "met" for r in branches) / len(branches), 3) if branches else 0.0,
        units_met_share=round(sum(u.state == "met" for u in units) / len(units), 3) if units else 0.0,
        ok=same_answer and same_counts and report_ms <= MAX_RATIO * sql_ms,
    )
    return result, problems


def profile(period: Any, today: datetime.date, top: int = 30) -> None:
    """The report for ``period`` under cProfile; the top functions on stderr."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_report(period, today)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    _log(f"\n--- cProfile：{period.label}\n{out.getvalue()}")


def prepare_database(url: str, *, orgs: int, members: int, year: int, reload: bool) -> tuple[str, dict[str, Any]]:
    """Make sure the bench database holds this data. Returns ('reused' or 'loaded', load figures)."""
    from django.db import connection, connections

    from bench import compliance_datagen, datagen

    _create_database(url, drop=False)
    _migrate()
    wanted = {"orgs": str(orgs), "members": str(members), "year": str(year), "generator": compliance_datagen.generator_version()}
    if not reload and _read_meta() == wanted:
        return "reused", {}
    connections.close_all()
    _log("重建数据库")
    _create_database(url, drop=True)
    _migrate()
    started = time.perf_counter()
    _log(f"载入数据：{orgs:,} 个党组织，{members:,} 名党员，{year} 年的会议和出勤")
    stats = compliance_datagen.load(orgs=orgs, members=members, year=year, progress=_log)
    problems = datagen.check_tree()
    if problems:
        raise SystemExit("generated tree has problems: " + "; ".join(problems))
    _write_meta(wanted)
    loaded = time.perf_counter() - started
    analyze_started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    figures = asdict(stats)
    figures["seconds"]["vacuum_analyze"] = time.perf_counter() - analyze_started
    figures["seconds"]["total"] = time.perf_counter() - started
    figures["seconds"] = {k: round(v, 1) for k, v in figures["seconds"].items()}
    _log(f"载入完成，用时 {loaded:.1f} 秒（VACUUM ANALYZE 另 {figures['seconds']['vacuum_analyze']:.1f} 秒）")
    return "loaded", figures


COLUMNS = (("期间", 16), ("党组织", 8), ("单元格", 8), ("报表 中位ms", 12), ("报表 CPU ms", 12), ("查询数", 7))
COLUMNS += (("报表SQL ms", 11), ("手写SQL ms", 11), ("倍数", 7), ("计数SQL ms", 11), ("对计数倍数", 11))
COLUMNS += (("结果一致", 9), ("达标", 6))


def _table(results: list[Result]) -> str:
    head = "".join(_cell(name, width, right=i > 0) for i, (name, width) in enumerate(COLUMNS))
    lines = [head, "-" * sum(width for _, width in COLUMNS)]
    for r in results:
        values = (r.label, f"{r.orgs:,}", f"{r.cells:,}", f"{r.report_ms:.1f}", f"{r.report_cpu_ms:.1f}", r.queries)
        values += (
            f"{r.report_sql_ms:.1f}",
            f"{r.sql_ms:.1f}",
            f"{r.ratio:.2f}",
            f"{r.counts_sql_ms:.1f}",
            f"{r.ratio_counts:.2f}",
        )
        values += ("是" if r.same_answer and r.same_counts else "否", "是" if r.ok else "否")
        lines.append("".join(_cell(v, width, right=i > 0) for i, (v, (_, width)) in enumerate(zip(values, COLUMNS, strict=True))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000, help="党组织数量 (default 10000)")
    parser.add_argument("--members", type=int, default=300_000, help="党员数量 (default 300000)")
    parser.add_argument("--year", type=int, default=0, help="the year of meetings (default: last calendar year)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per period and side (default 5)")
    parser.add_argument("--reload", action="store_true", help="drop and reload the data even if it matches")
    parser.add_argument("--load-only", action="store_true", help="prepare the database and stop")
    parser.add_argument("--profile", action="store_true", help="also run the report for each period under cProfile (stderr)")
    parser.add_argument("--no-jit", action="store_true", help="pass -c jit=off on every connection (a control run)")
    parser.add_argument("--only", default="", help="measure only periods whose text (2025-11, 2025Q4, 2025) contains this")
    parser.add_argument(
        "--random-page-cost",
        type=float,
        default=PRODUCTION_RANDOM_PAGE_COST,
        metavar="COST",
        help=f"planner random_page_cost on every connection (default {PRODUCTION_RANDOM_PAGE_COST:g}, as docker-compose.yml)",
    )
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("PARTYBUILD_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "partybuild.settings"
    _admin_dsn(url)  # refuse a non-bench database before touching anything

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from partybuild.periods import Period

    assert not settings.DEBUG
    _use_random_page_cost(settings, args.random_page_cost)
    if args.no_jit:
        settings.DATABASES["default"]["OPTIONS"]["options"] += " -c jit=off"
    today = timezone.localdate()
    year = args.year or today.year - 1
    how, load_figures = prepare_database(url, orgs=args.orgs, members=args.members, year=year, reload=args.reload)
    from bench import compliance_datagen

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
        cur.execute("SHOW random_page_cost")
        random_page_cost = cur.fetchone()[0]
        cur.execute("SHOW jit")
        jit = cur.fetchone()[0]
    data = compliance_datagen.summary(year)
    if args.load_only:
        _log(f"数据库就绪（{how}）：{data}")
        if load_figures:
            _log(json.dumps(load_figures, ensure_ascii=False))
        return 0

    sql = hand_sql()
    periods = [Period.month(year, 11), Period.quarter(year, 4), Period.of_year(year)]
    load_before = os.getloadavg()
    results: list[Result] = []
    problems: dict[str, list[str]] = {}
    for period in periods:
        if args.only not in str(period):
            continue
        _log(f"测量 {period.label}")
        result, found = measure(period, args.repeat, today, sql)
        results.append(result)
        if found:
            problems[str(period)] = found
    load_after = os.getloadavg()
    if args.profile:
        for period in periods:
            if args.only in str(period):
                profile(period, today)

    print(
        f"党组织 {data['organizations']:,} 个，党员 {data['members']:,} 名；会议 {data['meetings']:,} 次"
        f"（已召开 {data['held']:,}，其中 {year} 年内 {data['held_in_year']:,}；取消 {data['cancelled']:,}；计划 {data['planned']:,}），"
        f"计入类型 {data['credits']:,} 条，出勤 {data['attendance']:,} 条；数据{'重用' if how == 'reused' else '新载入'}"
    )
    print(
        f"PostgreSQL {pg_version}，random_page_cost {random_page_cost}，jit {jit}；Python {platform.python_version()}；{os.cpu_count()} 核；"
        f"每个期间每方 {args.repeat} 次（另预热 1 次）"
    )
    print(f"测量前后1分钟平均负载：{load_before[0]:.2f} / {load_after[0]:.2f}（负载高于核数时计时偏大）")
    print(f"目标：报表（selectors.compliance，含 Python 组装）中位时间 ≤ {MAX_RATIO:g} × 手写 SQL 中位时间，且结果相同\n")
    print(_table(results))
    for period_text, found in problems.items():
        print(f"\n{period_text} 结果不一致（前几处）：")
        for line in found:
            print(f"  {line}")
    for r in results:
        print(f"{r.label}：达标党支部占 {r.met_share:.1%}，考核单元达标占 {r.units_met_share:.1%}")
    all_ok = bool(results) and all(r.ok for r in results)
    print(f"\n结论：{'全部达标' if all_ok else '有期间未达标'}")
    summary = {
        "orgs": args.orgs,
        "members": args.members,
        "year": year,
        "repeat": args.repeat,
        "data": how,
        "database": data,
        "load": load_figures,
        "postgresql": pg_version,
        "random_page_cost": float(random_page_cost),
        "jit": jit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_before": round(load_before[0], 2),
        "loadavg_after": round(load_after[0], 2),
        "target": {"max_ratio": MAX_RATIO},
        "results": [asdict(r) for r in results],
        "problems": problems,
        "ok": all_ok,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
