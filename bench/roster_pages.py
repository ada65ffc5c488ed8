"""Speed of the roster pages on a large roster: server time and query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partybuild_bench \\
        .venv/bin/python bench/roster_pages.py [--orgs 2000 --members 100000 --repeat 30]

Creates the database named in DATABASE_URL if it is missing (it must be a dedicated one: its name
must contain "bench", because the script drops and recreates it when the data has another size),
migrates it, loads the data with bench/datagen.py unless it already holds data of the same size
from the same generator, ANALYZEs, and then, for every page and user, times ``--repeat`` requests
through django.test.Client after three warm-up requests and counts the queries of each request.

Settings are the real ones (partybuild.settings) with DEBUG off, and every connection passes
``-c random_page_cost=1.1``, the planner setting docker-compose.yml gives production's PostgreSQL
(``--random-page-cost 4`` measures with PostgreSQL's own default). Targets from the issue: at most
15 queries per page whatever the data size, and a median server time under 150 ms. The table goes
to stdout; the last line is one JSON object with every figure. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/partybuild_bench"
MAX_QUERIES = 15
MAX_MEDIAN_MS = 150.0
WARMUP = 3


@dataclass
class Result:
    page: str
    user: str
    url: str
    status: int
    median_ms: float
    p95_ms: float
    max_ms: float
    cpu_ms: float  # median CPU time of this (the Django) process per request: the app's own work
    queries: int  # the most any request of this page made
    sql_ms: float  # time spent in SQL by one instrumented request
    slowest_sql_ms: float
    ok: bool


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- database ---------------------------------------------------------------------------------


def _admin_dsn(url: str) -> tuple[dict[str, Any], str]:
    """psycopg2 connection arguments for the server's ``postgres`` database, and the bench db name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or not name:
        raise SystemExit("DATABASE_URL must be postgres://user@host:port/name")
    if "bench" not in name:
        raise SystemExit(f"refusing to use database {name!r}: its name must contain 'bench' (it may be dropped)")
    dsn = {
        "dbname": "postgres",
        "user": parts.username or "postgres",
        "password": parts.password or None,
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
    }
    return {k: v for k, v in dsn.items() if v is not None}, name


def _create_database(url: str, *, drop: bool) -> None:
    import psycopg2
    from psycopg2 import sql

    dsn, name = _admin_dsn(url)
    conn = psycopg2.connect(**dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            if drop:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                _log(f"创建数据库 {name}")
                cur.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))
    finally:
        conn.close()


def _generator_version() -> str:
    return hashlib.sha256((ROOT / "bench" / "datagen.py").read_bytes()).hexdigest()[:16]


def _read_meta() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cur.execute("SELECT key, value FROM bench_meta")
        return dict(cur.fetchall())


def _write_meta(meta: dict[str, str]) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cur.execute("DELETE FROM bench_meta")
        for key, value in meta.items():
            cur.execute("INSERT INTO bench_meta (key, value) VALUES (%s, %s)", [key, value])


# The planner setting of production: docker-compose.yml starts PostgreSQL with
# ``-c random_page_cost=1.1``. The bench passes the same on every connection it opens.
PRODUCTION_RANDOM_PAGE_COST = 1.1


def _use_random_page_cost(settings: Any, cost: float) -> None:
    """Every connection Django opens gets ``-c random_page_cost=COST`` (call before the first)."""
    options = settings.DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"-c random_page_cost={cost:g}"


def _reset_database_random_page_cost(connection: Any) -> None:
    """Older versions of this script set the cost on the database (ALTER DATABASE); drop that, so
    the connection option is the only setting in play."""
    with connection.cursor() as cur:
        cur.execute(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" RESET random_page_cost')


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def prepare_database(url: str, *, orgs: int, members: int, reload: bool) -> str:
    """Make sure the bench database holds this size of data. Returns 'reused' or 'loaded'."""
    from django.db import connection, connections

    from bench import datagen

    _create_database(url, drop=False)
    _migrate()
    wanted = {"orgs": str(orgs), "members": str(members), "generator": _generator_version()}
    if not reload and _read_meta() == wanted:
        return "reused"
    connections.close_all()
    _log("重建数据库")
    _create_database(url, drop=True)
    _migrate()
    started = time.perf_counter()
    _log(f"载入数据：{orgs:,} 个党组织，{members:,} 名党员")
    datagen.load(orgs=orgs, members=members, progress=_log)
    problems = datagen.check_tree()
    if problems:
        raise SystemExit("generated tree has problems: " + "; ".join(problems))
    _write_meta(wanted)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    _log(f"载入完成，用时 {time.perf_counter() - started:.1f} 秒")
    return "loaded"


# --- measuring ------------------------------------------------------------------------------


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


class _QueryCounter:
    """Counts queries with negligible overhead (no SQL text kept), for the timed requests."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001
        self.count += 1
        return execute(sql, params, many, context)


def _explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


def measure(
    page: str, user_label: str, user: Any, url: str, repeat: int, show_queries: bool, explain_ms: float, *, cold: bool = False
) -> Result:
    """``cold``: empty the cache before every request (untimed), to time what a cache miss costs."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(WARMUP):
        response = client.get(url)
    status = response.status_code
    times: list[float] = []
    cpu: list[float] = []
    most_queries = 0
    for _ in range(repeat):
        if cold:
            cache.clear()
        counter = _QueryCounter()
        with connection.execute_wrapper(counter):
            cpu_started = time.process_time()
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            cpu_elapsed = time.process_time() - cpu_started
        times.append(elapsed * 1000)
        cpu.append(cpu_elapsed * 1000)
        most_queries = max(most_queries, counter.count)
        status = response.status_code if response.status_code != 200 else status
    # One more, instrumented, for the SQL list and the time spent in the database.
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    sql_times = [float(q["time"]) * 1000 for q in captured.captured_queries]
    most_queries = max(most_queries, len(captured.captured_queries))
    if show_queries:
        _log(f"\n--- {page} / {user_label}: {len(sql_times)} queries, {sum(sql_times):.1f} ms in SQL")
        for q, ms in zip(captured.captured_queries, sql_times, strict=True):
            _log(f"  {ms:7.2f} ms  {q['sql'][:400]}")
    if explain_ms:
        for q, ms in zip(captured.captured_queries, sql_times, strict=True):
            if ms >= explain_ms and q["sql"].startswith("SELECT"):
                _log(f"\n--- {page} / {user_label}: {ms:.0f} ms\n{q['sql']}\n{_explain(q['sql'])}")
    median = statistics.median(times)
    return Result(
        page=page,
        user=user_label,
        url=url,
        status=status,
        median_ms=round(median, 1),
        p95_ms=round(_percentile(times, 95), 1),
        max_ms=round(max(times), 1),
        cpu_ms=round(statistics.median(cpu), 1),
        queries=most_queries,
        sql_ms=round(sum(sql_times), 1),
        slowest_sql_ms=round(max(sql_times, default=0.0), 1),
        ok=status == 200 and most_queries <= MAX_QUERIES and median < MAX_MEDIAN_MS,
    )


def _filtered_list_query(committee_pk: int) -> dict[str, str]:
    """The filtered member list of the issue: a committee's subtree, undergraduates aged 36-45
    whose name contains 王. Parameter names follow members/filters.py (or the view's form)."""
    return {"org": str(committee_pk), "education": "undergraduate", "age": "36_45", "q": "王"}


def pages(targets: Any) -> list[tuple[str, str, tuple[str, ...], bool]]:
    """(page label, url, users, cold cache) for everything measured."""
    from django.urls import reverse

    list_url = reverse("members:list")
    filtered_url = list_url + "?" + urlencode(_filtered_list_query(targets.committee_pk))
    return [
        ("组织树", reverse("branches:tree"), ("admin", "staff", "secretary"), False),
        ("组织树 展开党委", reverse("branches:children", args=[targets.committee_pk]), ("admin", "staff"), False),
        ("党组织详情 党委", reverse("branches:detail", args=[targets.committee_pk]), ("admin", "staff"), False),
        ("党组织详情 党支部", reverse("branches:detail", args=[targets.branch_pk]), ("admin", "staff", "secretary"), False),
        ("党员列表 第1页", list_url, ("admin", "staff", "secretary"), False),
        ("党员列表 筛选", filtered_url, ("admin", "staff"), False),
        ("党员列表 第100页", list_url + "?page=100", ("admin", "staff"), False),
        # The 党组织 filter's options are cached (per scope and tree version): the first request
        # after a change to the tree builds them. These rows time that request.
        ("党员列表 第1页 缓存未命中", list_url, ("admin", "staff"), True),
        ("党员列表 筛选 缓存未命中", filtered_url, ("admin", "staff"), True),
        ("党员详情", reverse("members:detail", args=[targets.member_pk]), ("admin", "staff", "secretary"), False),
    ]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters take two columns


def _cell(text: object, width: int, *, right: bool = False) -> str:
    text = str(text)
    pad = " " * max(0, width - _width(text))
    return pad + text if right else text + pad


COLUMNS = (("页面", 28), ("用户", 10), ("状态", 5), ("中位 ms", 9), ("p95 ms", 9), ("最大 ms", 9), ("CPU ms", 8))
COLUMNS += (("查询数", 7), ("SQL ms", 8), ("达标", 6))


def _table(results: list[Result]) -> str:
    head = "".join(_cell(name, width, right=i > 1) for i, (name, width) in enumerate(COLUMNS))
    lines = [head, "-" * sum(width for _, width in COLUMNS)]
    for r in results:
        values = (r.page, r.user, r.status, f"{r.median_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.max_ms:.1f}", f"{r.cpu_ms:.1f}")
        values += (r.queries, f"{r.sql_ms:.1f}", "是" if r.ok else "否")
        lines.append("".join(_cell(v, width, right=i > 1) for i, (v, (_, width)) in enumerate(zip(values, COLUMNS, strict=True))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=2000, help="党组织数量 (default 2000)")
    parser.add_argument("--members", type=int, default=100_000, help="党员数量 (default 100000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page and user (default 30)")
    parser.add_argument("--reload", action="store_true", help="drop and reload the data even if it matches")
    parser.add_argument("--load-only", action="store_true", help="prepare the database and stop")
    parser.add_argument("--show-queries", action="store_true", help="print every page's SQL with timings to stderr")
    parser.add_argument("--explain", type=float, default=0, metavar="MS", help="EXPLAIN ANALYZE queries slower than MS")
    parser.add_argument(
        "--random-page-cost",
        type=float,
        default=PRODUCTION_RANDOM_PAGE_COST,
        metavar="COST",
        help=f"planner random_page_cost on every connection (default {PRODUCTION_RANDOM_PAGE_COST:g}, as docker-compose.yml; "
        "4 is PostgreSQL's own default)",
    )
    parser.add_argument("--only", default="", help="measure only pages whose label contains this text")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("PARTYBUILD_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "partybuild.settings"
    _admin_dsn(url)  # refuse a non-bench database before touching anything
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from bench import datagen

    assert not settings.DEBUG
    _use_random_page_cost(settings, args.random_page_cost)
    how = prepare_database(url, orgs=args.orgs, members=args.members, reload=args.reload)
    _reset_database_random_page_cost(connection)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
        cur.execute("SHOW random_page_cost")
        random_page_cost = cur.fetchone()[0]
    if args.load_only:
        _log(f"数据库就绪（{how}）")
        return 0
    # DEBUG is off, so templates need the hashed static files, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)

    from branches.models import Organization
    from members.roster.models import Member

    targets = datagen.find_targets()
    User = get_user_model()
    users = {
        "admin": User.objects.get(pk=targets.admin_id),
        "staff": User.objects.get(pk=targets.staff_id),
        "secretary": User.objects.get(pk=targets.secretary_id),
    }
    load_before = os.getloadavg()
    results: list[Result] = []
    for page, page_url, who, cold in pages(targets):
        if args.only not in page:
            continue
        for label in who:
            _log(f"测量 {page} / {label}")
            results.append(measure(page, label, users[label], page_url, args.repeat, args.show_queries, args.explain, cold=cold))

    load_after = os.getloadavg()
    print(
        f"党组织 {Organization.objects.count():,} 个，党员 {Member.objects.count():,} 名；"
        f"PostgreSQL {pg_version}；{os.cpu_count()} 核；每页每用户 {args.repeat} 次（预热 {WARMUP} 次）；数据{how}"
    )
    print(
        f"random_page_cost {random_page_cost}（每个连接 -c random_page_cost={args.random_page_cost:g}"
        f"{'，同 docker-compose.yml' if args.random_page_cost == PRODUCTION_RANDOM_PAGE_COST else '，不同于 docker-compose.yml 的 1.1'}）"
    )
    print(f"测量前后1分钟平均负载：{load_before[0]:.2f} / {load_after[0]:.2f}（负载高于核数时计时偏大）")
    print(f"目标：每页查询数 ≤ {MAX_QUERIES}，服务器时间中位数 < {MAX_MEDIAN_MS:.0f} ms\n")
    print(_table(results))
    all_ok = all(r.ok for r in results)
    print(f"\n结论：{'全部达标' if all_ok else '有页面未达标'}")
    summary = {
        "orgs": args.orgs,
        "members": args.members,
        "repeat": args.repeat,
        "warmup": WARMUP,
        "data": how,
        "postgresql": pg_version,
        "random_page_cost": float(random_page_cost),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_before": round(load_before[0], 2),
        "loadavg_after": round(load_after[0], 2),
        "targets": {"max_queries": MAX_QUERIES, "max_median_ms": MAX_MEDIAN_MS},
        "objects": {"committee_pk": targets.committee_pk, "branch_pk": targets.branch_pk, "member_pk": targets.member_pk},
        "pages": [asdict(r) for r in results],
        "all_ok": all_ok,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
