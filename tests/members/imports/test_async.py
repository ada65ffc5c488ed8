"""Large files go through Celery: progress visible while it runs, a notification at the end, and
a real worker process on PostgreSQL + Redis. Only one import writes to the roster at a time."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.imports import pipeline, runs, services
from members.imports.models import ImportStatus, RosterImport, RosterImportLock
from members.imports.runs import import_progress
from members.imports.services import roster_import_confirm
from members.roster.models import Member
from partybuild.notifications.models import Notification
from tests.conftest import World
from tests.members.imports.files import BASIC_HEADERS, many_rows, member_row, person_id, start, write_csv, write_xlsx
from tests.worker import start_worker, stop_worker

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def small_async(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files over 5 rows count as large; rows are judged and written 3 at a time."""
    monkeypatch.setattr(services, "ASYNC_THRESHOLD", 5)
    monkeypatch.setattr(pipeline, "CHUNK", 3)


@pytest.fixture
def progress_seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[int, int]]]:
    """What a user reloading the page would see each time the task reports progress."""
    seen: list[tuple[str, tuple[int, int]]] = []
    real = runs._set_progress

    def spy(pk: int, done: int, total: int) -> None:
        real(pk, done, total)
        job = RosterImport.objects.get(pk=pk)  # a fresh read, as a page reload would do
        seen.append((job.status, import_progress(job)))

    monkeypatch.setattr(runs, "_set_progress", spy)
    return seen


def test_a_large_file_is_judged_and_applied_by_tasks_with_progress_and_notifications(
    world: World, tmp_path: Path, small_async: None, progress_seen: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    path = write_xlsx(tmp_path / "全市名册.xlsx", BASIC_HEADERS, many_rows(8))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start(world.staff, path)
        assert job.is_async and job.status == ImportStatus.QUEUED  # the request returns at once
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.count_new) == (ImportStatus.READY, 8)
    assert progress_seen == [
        ("parsing", (0, 8)),
        ("parsing", (3, 8)),
        ("parsing", (6, 8)),
        ("parsing", (8, 8)),
    ]
    note = Notification.objects.get(recipient=world.staff)
    assert note.title == "花名册文件检查完成，请确认导入：全市名册.xlsx"
    assert note.url == reverse("members:import_detail", args=[job.pk])

    progress_seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_import_confirm(job=job, user=world.staff)
        assert job.status == ImportStatus.APPLYING
        assert not Member.objects.filter(id_number=person_id(0)).exists()  # nothing until the task runs
    job.refresh_from_db()
    assert (job.status, job.applied_created) == (ImportStatus.APPLIED, 8)
    assert progress_seen == [("applying", (0, 8)), ("applying", (3, 8)), ("applying", (6, 8)), ("applying", (8, 8))]
    assert import_progress(job) == (8, 8) and job.percent == 100
    assert Member.objects.filter(name__startswith="批量党员").count() == 8
    final = Notification.objects.filter(recipient=world.staff).order_by("-pk").first()
    assert final.title == "花名册导入完成：全市名册.xlsx"
    assert final.body == "已导入：新增 8 名，修改 0 名。"
    assert not Notification.objects.exclude(recipient=world.staff).exists()


def test_a_large_file_with_errors_notifies_with_a_warning(
    world: World, tmp_path: Path, small_async: None, django_capture_on_commit_callbacks: Any
) -> None:
    rows = many_rows(8)
    rows[5]["所在党支部"] = "不存在"
    with django_capture_on_commit_callbacks(execute=True):
        job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, rows, encoding="gb18030"))
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(7, "所在党支部")]
    note = Notification.objects.get(recipient=world.staff)
    assert (note.title, note.level) == ("花名册文件检查完成，发现错误：名册.csv", "warning")
    assert not Member.objects.filter(name__startswith="批量党员").exists()


def test_a_small_file_does_not_wait_for_a_task(world: World, tmp_path: Path, small_async: None) -> None:
    job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, many_rows(5)))
    assert not job.is_async and job.status == ImportStatus.READY
    assert not Notification.objects.exists()


def test_a_retried_task_does_nothing_twice(
    world: World, tmp_path: Path, small_async: None, django_capture_on_commit_callbacks: Any
) -> None:
    from members.tasks import roster_import_apply_task, roster_import_preview_task

    with django_capture_on_commit_callbacks(execute=True):
        job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, many_rows(6)))
    with django_capture_on_commit_callbacks(execute=True):
        roster_import_confirm(job=job, user=world.staff)
    notes = Notification.objects.count()
    roster_import_preview_task.delay(job.pk)
    roster_import_apply_task.delay(job.pk)
    job.refresh_from_db()
    assert (job.status, job.count_new, job.applied_created) == (ImportStatus.APPLIED, 6, 6)
    assert Member.objects.filter(name__startswith="批量党员").count() == 6
    assert Notification.objects.count() == notes


# --- one import writes at a time -------------------------------------------------------------------


def test_apply_locks_the_import_lock_row(world: World, tmp_path: Path) -> None:
    job = start(world.staff, write_csv(tmp_path / "名册.csv", BASIC_HEADERS, [member_row("甲", person_id(1))]))
    with CaptureQueriesContext(connection) as queries:
        roster_import_confirm(job=job, user=world.staff)
    lock_sql = [q["sql"] for q in queries.captured_queries if RosterImportLock._meta.db_table in q["sql"]]
    assert lock_sql, "the apply never touched the import lock"
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in lock_sql[0]


@pytest.mark.django_db(transaction=True)
def test_a_second_apply_waits_until_the_first_has_written(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")
    first = start(world.staff, write_csv(tmp_path / "一.csv", BASIC_HEADERS, many_rows(3)))
    second = start(world.staff, write_csv(tmp_path / "二.csv", BASIC_HEADERS, many_rows(3, start=100)))
    assert first.status == second.status == ImportStatus.READY
    RosterImportLock.objects.get_or_create(pk=1)

    first_writing, release_first = threading.Event(), threading.Event()
    real = pipeline.create_members_with_history

    def slow_for_the_first(objs: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "first":
            first_writing.set()
            assert release_first.wait(20)
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(pipeline, "create_members_with_history", slow_for_the_first)
    finished: list[str] = []

    def apply(job: RosterImport) -> None:
        try:
            roster_import_confirm(job=job, user=world.staff)
            finished.append(threading.current_thread().name)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(first,), name="first")]
    threads[0].start()
    try:
        assert first_writing.wait(20)
        threads.append(threading.Thread(target=apply, args=(second,), name="second"))
        threads[1].start()
        time.sleep(1.0)
        # The second has been confirmed but cannot write while the first holds the lock.
        assert finished == []
        assert RosterImport.objects.get(pk=second.pk).status == ImportStatus.APPLYING
        assert not Member.objects.filter(name__in=["批量党员00100", "批量党员00000"]).exists()
    finally:
        release_first.set()
        for t in threads:
            t.join(30)
    assert finished == ["first", "second"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ImportStatus.APPLIED, ImportStatus.APPLIED)
    assert first.applied_at < second.applied_at
    assert Member.objects.filter(name__startswith="批量党员").count() == 6


# --- a real worker ----------------------------------------------------------------------------------


def _wait_for(pk: int, statuses: set[str], worker: subprocess.Popen[str], timeout: float = 90) -> RosterImport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = RosterImport.objects.get(pk=pk)
        if job.status in statuses:
            return job
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    worker.terminate()
    output = worker.communicate(timeout=15)[0]
    raise AssertionError(f"import {pk} is still {job.status}; worker output:\n{output}")


@pytest.mark.worker
@pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
    reason="需要 DATABASE_URL（PostgreSQL）和 REDIS_URL：在 .ci/run 的 PostgreSQL + Redis 轮次中运行",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_judges_and_applies_a_large_file(
    world: World, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partybuild.celery import app

    assert app.conf.broker_url.startswith("redis://")
    var_dir = tmp_path / "var"
    settings.MEDIA_ROOT = var_dir / "media"  # shared with the worker through PARTYBUILD_VAR_DIR
    monkeypatch.setattr(services, "ASYNC_THRESHOLD", 5)
    queue = f"pbtest-{uuid.uuid4().hex[:8]}"
    # Tasks queued by this process go to the private queue, and really go (not run in-process).
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    app.conf.update(task_always_eager=False, task_default_queue=queue)
    worker = start_worker(queue, {"PARTYBUILD_VAR_DIR": str(var_dir)})
    try:
        a = world.member_a
        changed = member_row(a.name, a.id_number, 手机号码="13700000000", 入党日期=a.joined_on, 转正日期=a.confirmed_on)
        rows = [*many_rows(11), changed]
        job = start(world.staff, write_xlsx(tmp_path / "全市名册.xlsx", BASIC_HEADERS, rows))
        assert job.is_async
        job = _wait_for(job.pk, {ImportStatus.READY, ImportStatus.INVALID, ImportStatus.FAILED}, worker)
        assert job.status == ImportStatus.READY, (job.message, job.errors)
        assert (job.count_new, job.count_changed) == (11, 1)
        assert not Member.objects.filter(name__startswith="批量党员").exists()

        roster_import_confirm(job=job, user=world.staff)
        job = _wait_for(job.pk, {ImportStatus.APPLIED, ImportStatus.FAILED}, worker)
        assert job.status == ImportStatus.APPLIED, job.message
        assert (job.applied_created, job.applied_updated) == (11, 1)
        assert import_progress(job) == (12, 12)
        assert Member.objects.filter(name__startswith="批量党员").count() == 11
        world.member_a.refresh_from_db()
        assert world.member_a.phone == "13700000000"
        assert world.member_a.history.first().history_user == world.staff
        titles = list(Notification.objects.filter(recipient=world.staff).order_by("pk").values_list("title", flat=True))
        assert titles == ["花名册文件检查完成，请确认导入：全市名册.xlsx", "花名册导入完成：全市名册.xlsx"]
    finally:
        app.conf.update(saved)
        stop_worker(worker)
