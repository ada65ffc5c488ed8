#!/usr/bin/env bash
# The runtime from requirements.txt alone (what the Docker image installs), with Redis: a Celery
# worker and beat must start, answer and stay up. The test venv hides a missing runtime package
# when a test tool happens to bring it in (kombu's Redis transport needs `packaging`).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=var/runtime-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt

db=partybuild_ci_runtime
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" postgres
createdb -h 127.0.0.1 -U postgres "$db"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" REDIS_URL=redis://127.0.0.1:6379/13
export DJANGO_SETTINGS_MODULE=partybuild.settings CELERY_TASK_ALWAYS_EAGER=false
redis-cli -n 13 flushdb >/dev/null
"$venv/bin/python" manage.py migrate --noinput -v 0

logs=var/runtime-logs
mkdir -p "$logs"
"$venv/bin/python" -m celery -A partybuild worker --pool solo -l info -n runtime@%h >"$logs/worker.log" 2>&1 &
worker=$!
"$venv/bin/python" -m celery -A partybuild beat -l info --schedule "$logs/beat-schedule" >"$logs/beat.log" 2>&1 &
beat=$!
cleanup() { kill "$worker" "$beat" 2>/dev/null || true; wait "$worker" "$beat" 2>/dev/null || true; }
trap cleanup EXIT

ok=""
for _ in $(seq 60); do
    answer=$("$venv/bin/python" -m celery -A partybuild inspect ping --timeout 2 2>/dev/null || true)
    case "$answer" in *pong*) ok=1; break ;; esac
    kill -0 "$worker" 2>/dev/null || break
    sleep 1
done
sleep 3  # beat reads its schedule and inserts the periodic jobs
status=0
if [ -z "$ok" ]; then echo "the worker did not answer a ping"; status=1; fi
if ! kill -0 "$beat" 2>/dev/null; then echo "beat died"; status=1; fi
jobs=$("$venv/bin/python" manage.py shell -c "from django_celery_beat.models import PeriodicTask; print(PeriodicTask.objects.count())" 2>/dev/null | tail -1)
echo "worker answered: ${ok:-no}; beat alive: $(kill -0 "$beat" 2>/dev/null && echo yes || echo no); periodic jobs in the database: $jobs"
if [ "$status" != 0 ]; then
    echo "--- worker log"; tail -30 "$logs/worker.log"; echo "--- beat log"; tail -30 "$logs/beat.log"
fi
exit "$status"
