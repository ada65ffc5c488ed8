# syntax=docker/dockerfile:1
#
# Production image for partybuild (Django 5.2 + gunicorn; same image runs the
# celery worker and beat, see docker-compose.yml).
#
#   docker build -t partybuild .
#   docker run --env-file .env -p 8000:8000 partybuild
#
# Every dependency in requirements.txt ships a manylinux wheel for CPython 3.11
# (psycopg2-binary bundles libpq), so no compiler or -dev packages are needed.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=partybuild.settings.production

# Unprivileged runtime user; fixed ids so volume ownership is predictable.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not invalidate this layer.
COPY requirements.txt /app/requirements.txt
RUN pip install --no-cache-dir -r /app/requirements.txt

COPY . /app

# collectstatic (into STATIC_ROOT = /app/var/staticfiles) needs importable
# production settings, which refuse to load without a SECRET_KEY of >= 50
# characters and ALLOWED_HOSTS. The dummy key exists only in this RUN step's
# environment (no ARG, no ENV: it is not in the image's config); the real one
# comes from SECRET_KEY_FILE at run time. DATABASE_URL/REDIS_URL dummies keep
# the settings on their production code path; collectstatic connects to neither.
RUN SECRET_KEY="collectstatic-build-only-dummy-key-not-used-at-runtime-0123456789" \
    ALLOWED_HOSTS="localhost" \
    DATABASE_URL="postgres://collectstatic:unused@127.0.0.1:5432/collectstatic" \
    REDIS_URL="redis://127.0.0.1:6379/0" \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/media \
 && chown app:app /app/var/media

# Code and collected static files stay root-owned (read-only for the app);
# only /app/var/media (uploads; a named volume in compose, which inherits this
# ownership when first created) is writable by uid 10001.
USER 10001:10001

EXPOSE 8000

# The access log leaves out query strings (%(U)s is the path alone) and the referer: searches
# carry names, phone numbers and ID-number tails in the query string.
CMD ["gunicorn", "partybuild.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--access-logformat", "%(h)s %(l)s %(u)s %(t)s \"%(m)s %(U)s %(H)s\" %(s)s %(b)s %(L)s"]
