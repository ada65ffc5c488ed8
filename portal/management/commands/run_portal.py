"""Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

Used by `make run`. Each runs as its own process, exactly as in production, on whatever
DATABASE_URL / REDIS_URL say (by default SQLite and the filesystem broker under var/).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "同时启动网站、Celery worker 和 beat（Ctrl-C 全部停止）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default=os.environ.get("PORTAL_ADDR", "127.0.0.1:8000"))

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "partybuild"]
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [*celery, "worker", "-l", "warning", "--pool", "solo", "-n", "worker@%h"],
            "beat": [
                *celery,
                "beat",
                "-l",
                "warning",
                "--scheduler",
                "partybuild.beat:PeriodicJobScheduler",
                "--pidfile=",
            ],
        }

        # Ctrl-C (SIGINT) and SIGTERM both stop everything, even when started from a script that
        # ignores SIGINT for background jobs.
        def _stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        procs: dict[str, subprocess.Popen[bytes]] = {}
        for name, cmd in commands.items():
            procs[name] = subprocess.Popen(cmd)
            self.stdout.write(f"已启动 {name}（pid {procs[name].pid}）")
        self.stdout.write(self.style.SUCCESS(f"门户地址：http://{addr}/    按 Ctrl-C 停止全部进程"))
        try:
            while all(p.poll() is None for p in procs.values()):
                time.sleep(0.5)
            failed = [n for n, p in procs.items() if p.poll() is not None]
            self.stderr.write(f"进程已退出：{', '.join(failed)}；正在停止其余进程")
        except KeyboardInterrupt:
            self.stdout.write("正在停止……")
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.time() + 10
            for p in procs.values():
                try:
                    p.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    p.kill()
