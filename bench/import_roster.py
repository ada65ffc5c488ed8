"""Speed and memory of the roster import, against reading the file with openpyxl alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partybuild_bench_import \\
        .venv/bin/python bench/import_roster.py [--rows 200000 --e-rows 20000]

Creates the database named in DATABASE_URL if it is missing (its name must contain "bench"; it is
dropped and recreated when it holds another tree), migrates it and loads a small tree (bench/
import_datagen.py: 1 工委, 40 机关党委, 400 党支部). Generates, once per size and generator
version, a roster .xlsx with the national headers and a variant with 10% of rows changed (cached
under var/bench/). Then measures, each in a fresh subprocess so that its peak RSS is its own:

  (a) openpyxl alone reading the file (read_only=True, data_only=True, every row, values_only);
  (b) our import into an empty roster (members and history truncated first): import_preview and
      import_apply end to end, as a 系统管理员;
  (c) importing the same file again: everything unchanged (preview finds 0 new/0 changed; apply
      then has nothing to write);
  (d) importing the variant: 手机号码 and 工作岗位 changed in every 10th row;
  (e) django-import-export with default options (members.imports.resources.MemberResource().import_data,
      dry_run=False) on the first --e-rows rows in a tablib Dataset, into an empty roster.

Wall time is measured without tracemalloc; a second pass repeats (b)-(d) under tracemalloc for the
peak of Python allocations (skip it with --no-tracemalloc). Targets from the issue: (b), (c) and
(d) each at most 1.5 x (a); the import's peak memory (the subprocess's ru_maxrss plus that of its
.xlsx reader child) under 512 MB. CPU s is the phase's CPU time with its children's.
The table goes to stdout, the last line is one JSON object with every figure; exit status 1 when
a target is missed. --profile b|c|d|e runs that phase under cProfile and prints where time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.roster_pages import _admin_dsn, _create_database, _migrate  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/partybuild_bench_import"
MAX_RATIO = 1.5
MAX_RSS_MB = 512.0
JOB_PK = 990_000_000  # staged files of the benchmark's imports: no RosterImport row needed
CACHE_DIR = ROOT / "var" / "bench"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _setup_django() -> None:
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("PARTYBUILD_VAR_DIR", str(CACHE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "partybuild.settings"
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _children_rss_mb() -> float:
    """The largest peak of the phase's own children (the .xlsx reader process)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU time of the phase and its children: unlike wall time, not stretched by a busy machine."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# --- the phases (run in a child process) --------------------------------------------------------


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE members_member, members_historicalmember RESTART IDENTITY CASCADE")


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE members_member")
        cur.execute("ANALYZE members_historicalmember")


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    from bench.import_datagen import ADMIN_USERNAME

    return get_user_model().objects.get(username=ADMIN_USERNAME)


def phase_openpyxl(path: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    count = cells = 0
    for row in sheet.iter_rows(values_only=True):
        count += 1
        cells += len(row)
    book.close()
    return {"wall_s": time.perf_counter() - started, "rows_read": count, "cells": cells}


def phase_import(path: Path, *, truncate: bool) -> dict[str, Any]:
    """import_preview + import_apply, as the portal runs them (minus the Celery hop)."""
    from django.db import connection

    from members.imports.pipeline import import_apply, import_preview, staged_path
    from members.roster.models import Member

    if truncate:
        _truncate()
    else:
        _analyze()
    user = _admin()
    connection.ensure_connection()
    started = time.perf_counter()
    preview = import_preview(path=path, filename=path.name, user=user, job_pk=JOB_PK)
    previewed = time.perf_counter()
    if preview.errors:
        raise SystemExit(f"the generated file has errors: {preview.errors[:5]}")
    applied = import_apply(
        job_pk=JOB_PK, user=user, reason=f"导入花名册：{path.name}（基准测试）", expected_total=preview.new + preview.changed
    )
    finished = time.perf_counter()
    staged_path(JOB_PK).unlink(missing_ok=True)
    return {
        "wall_s": finished - started,
        "preview_s": previewed - started,
        "apply_s": finished - previewed,
        "total": preview.total,
        "new": preview.new,
        "changed": preview.changed,
        "unchanged": preview.unchanged,
        "created": applied.created,
        "updated": applied.updated,
        "members": Member.objects.count(),
        "history": Member.history.count(),
    }


def phase_import_export(path: Path, rows: int) -> dict[str, Any]:
    """django-import-export's default path: MemberResource().import_data on a tablib Dataset."""
    import tablib
    from openpyxl import load_workbook

    from members.imports.resources import MemberResource
    from members.roster.models import Member

    _truncate()
    user = _admin()
    loading = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    values = book.worksheets[0].iter_rows(values_only=True)
    next(values)  # the title row
    headers = [str(h) for h in next(values)]
    data = []
    for row in values:
        data.append(row)
        if len(data) >= rows:
            break
    book.close()
    dataset = tablib.Dataset(*data, headers=headers)
    loaded = time.perf_counter()
    result = MemberResource().import_data(dataset, dry_run=False, user=user, file_name=path.name)
    finished = time.perf_counter()
    if result.has_errors() or result.has_validation_errors():
        invalid = [(r.number, r.field_specific_errors) for r in result.invalid_rows[:5]]
        errors = [(r.number, [str(e.error) for e in r.errors]) for r in result.row_errors()[:5]]
        raise SystemExit(f"django-import-export refused the rows: {invalid} {errors} {result.base_errors[:3]}")
    wall = finished - loaded
    return {
        "wall_s": wall,
        "dataset_load_s": loaded - loading,
        "rows": len(dataset),
        "rows_per_s": len(dataset) / wall,
        "new": result.totals["new"],
        "members": Member.objects.count(),
        "history": Member.history.count(),
    }


def run_phase(args: argparse.Namespace) -> int:
    """Child process: one phase, one JSON line on stdout."""
    import tracemalloc

    _setup_django()
    path = Path(args.file)
    if args.tracemalloc:
        tracemalloc.start()
    baseline = _rss_mb()

    def measured() -> dict[str, Any]:
        if args.phase == "a":
            return phase_openpyxl(path)
        if args.phase in ("b", "c", "d"):
            return phase_import(path, truncate=args.phase == "b")
        if args.phase == "e":
            return phase_import_export(path, args.e_rows)
        raise SystemExit(f"unknown phase {args.phase}")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        out = profiler.runcall(measured)
        target = CACHE_DIR / f"import_roster-{args.phase}.prof"
        profiler.dump_stats(target)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        _log(f"profile saved to {target}")
    else:
        out = measured()
    # The import is this process and its .xlsx reader: their peaks added up are its peak memory.
    out["maxrss_mb"] = _rss_mb() + _children_rss_mb()
    out["reader_rss_mb"] = _children_rss_mb()
    out["cpu_s"] = _cpu_s()
    out["startup_rss_mb"] = baseline
    if args.tracemalloc:
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(json.dumps(out))
    return 0


# --- the run (parent process) ---------------------------------------------------------------------


def prepare_database(url: str) -> None:
    from django.db import connection, connections

    from bench.import_datagen import ADMIN_USERNAME, BRANCHES_PER_COMMITTEE, COMMITTEES, load_tree
    from branches.models import Organization
    from partybuild.accounts.models import User

    _create_database(url, drop=False)
    _migrate()
    wanted = 1 + COMMITTEES + COMMITTEES * BRANCHES_PER_COMMITTEE
    ours = Organization.objects.filter(code__startswith="BI").count() == wanted == Organization.objects.count()
    if ours and User.objects.filter(username=ADMIN_USERNAME).exists():
        return
    connections.close_all()
    _log("重建数据库")
    _create_database(url, drop=True)
    _migrate()
    load_tree()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def prepare_files(rows: int) -> tuple[Path, Path]:
    from bench.import_datagen import generator_version, write_roster

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    version = generator_version()
    same = CACHE_DIR / f"import_roster-{rows}-{version}.xlsx"
    changed = CACHE_DIR / f"import_roster-{rows}-{version}-changed.xlsx"
    for path, is_changed in ((same, False), (changed, True)):
        if not path.exists():
            _log(f"生成 {path.name}（{rows:,} 行）")
            started = time.perf_counter()
            write_roster(path, rows, changed=is_changed)
            _log(f"  用时 {time.perf_counter() - started:.1f} 秒，{path.stat().st_size / 2**20:.1f} MB")
    return same, changed


def _child(phase: str, path: Path, args: argparse.Namespace, *, trace: bool = False, profile: bool = False) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--file", str(path), "--e-rows", str(args.e_rows)]
    if trace:
        command.append("--tracemalloc")
    if profile:
        command += ["--profile", phase]
    _log(f"测量 ({phase}){' tracemalloc' if trace else ''}{' cProfile' if profile else ''}")
    done = subprocess.run(command, check=False, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


LABELS = {
    "a": "(a) openpyxl 只读读取",
    "b": "(b) 导入到空花名册",
    "c": "(c) 重复导入（无变化）",
    "d": "(d) 导入（10% 行有变化）",
    "e": "(e) django-import-export",
}


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _cell(text: object, width: int, *, right: bool = False) -> str:
    text = str(text)
    pad = " " * max(0, width - _width(text))
    return pad + text if right else text + pad


def _table(results: dict[str, dict[str, Any]], a_wall: float) -> str:
    columns = (("测量", 28), ("行数", 9), ("用时 s", 9), ("预览 s", 9), ("写入 s", 9), ("行/秒", 9))
    columns += (("对(a)倍数", 11), ("CPU s", 9), ("峰值RSS MB", 12), ("tracemalloc MB", 16))
    lines = ["".join(_cell(n, w, right=i > 0) for i, (n, w) in enumerate(columns)), "-" * sum(w for _, w in columns)]
    for phase, r in results.items():
        rows = r.get("total") or r.get("rows") or r.get("rows_read", 0)
        values = (
            LABELS[phase],
            f"{rows:,}",
            f"{r['wall_s']:.1f}",
            f"{r['preview_s']:.1f}" if "preview_s" in r else "",
            f"{r['apply_s']:.1f}" if "apply_s" in r else "",
            f"{rows / r['wall_s']:,.0f}",
            f"{r['wall_s'] / a_wall:.2f}" if phase != "e" else "",
            f"{r['cpu_s']:.1f}",
            f"{r['maxrss_mb']:.0f}",
            f"{r['tracemalloc_peak_mb']:.0f}" if "tracemalloc_peak_mb" in r else "",
        )
        lines.append("".join(_cell(v, w, right=i > 0) for i, (v, (_, w)) in enumerate(zip(values, columns, strict=True))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the generated file (default 200000)")
    parser.add_argument("--e-rows", type=int, default=20_000, help="rows for django-import-export (default 20000)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the second pass under tracemalloc")
    parser.add_argument("--skip-e", action="store_true", help="skip (e), django-import-export")
    parser.add_argument("--profile", choices=["b", "c", "d", "e"], help="also run this phase under cProfile")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    _admin_dsn(url)  # refuse a non-bench database before touching anything
    if args.phase:
        return run_phase(args)

    _setup_django()
    from django.db import connection

    prepare_database(url)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
    connection.close()
    same, changed = prepare_files(args.rows)

    load_before = os.getloadavg()
    results: dict[str, dict[str, Any]] = {}
    results["a"] = _child("a", same, args)
    results["b"] = _child("b", same, args)
    results["c"] = _child("c", same, args)
    results["d"] = _child("d", changed, args)
    if not args.skip_e:
        results["e"] = _child("e", same, args)
    if not args.no_tracemalloc:
        for phase, path in (("b", same), ("c", same), ("d", changed)):
            traced = _child(phase, path, args, trace=True)
            results[phase]["tracemalloc_peak_mb"] = traced["tracemalloc_peak_mb"]
            results[phase]["traced_wall_s"] = traced["wall_s"]
            results[phase]["maxrss_mb_traced"] = traced["maxrss_mb"]
    if args.profile:
        if args.profile in ("c", "d"):
            _child("b", same, args)  # the roster (c) and (d) start from
        if args.profile == "d":
            _child("c", same, args)
        _child(args.profile, changed if args.profile == "d" else same, args, profile=True)
    load_after = os.getloadavg()

    a_wall = results["a"]["wall_s"]
    checks = {
        "b_total_ok": results["b"]["new"] == args.rows and results["b"]["members"] == args.rows,
        "c_unchanged_ok": results["c"]["unchanged"] == args.rows and results["c"]["new"] == results["c"]["changed"] == 0,
        "d_changed_ok": results["d"]["changed"] == args.rows // 10 and results["d"]["new"] == 0,
    }
    targets: dict[str, dict[str, Any]] = {}
    for phase in ("b", "c", "d"):
        ratio = results[phase]["wall_s"] / a_wall
        targets[f"{phase}_time"] = {"ratio_to_a": round(ratio, 2), "max": MAX_RATIO, "pass": ratio <= MAX_RATIO}
        rss = results[phase]["maxrss_mb"]
        targets[f"{phase}_memory"] = {"maxrss_mb": round(rss, 1), "max": MAX_RSS_MB, "pass": rss < MAX_RSS_MB}

    print(f"文件 {same.name}：{args.rows:,} 行，{same.stat().st_size / 2**20:.1f} MB；PostgreSQL {pg_version}")
    print(f"{os.cpu_count()} 核，Python {platform.python_version()}，负载 {load_before[0]:.2f} → {load_after[0]:.2f}")
    print(_table(results, a_wall))
    for name, target in targets.items():
        print(f"  {name}: {'达标' if target['pass'] else '未达标'} {target}")
    for name, ok in checks.items():
        if not ok:
            print(f"  计数不符：{name}")
    figures = {
        "rows": args.rows,
        "e_rows": args.e_rows,
        "file": same.name,
        "file_mb": round(same.stat().st_size / 2**20, 1),
        "postgresql": pg_version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_before": round(load_before[0], 2),
        "load_after": round(load_after[0], 2),
        "results": {
            phase: {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for phase, r in results.items()
        },
        "e_rows_per_s": round(results["e"]["rows_per_s"], 1) if "e" in results else None,
        "checks": checks,
        "targets": targets,
        "pass": all(t["pass"] for t in targets.values()) and all(checks.values()),
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
