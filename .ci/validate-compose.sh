#!/usr/bin/env bash
# Validate docker-compose.yml with the compose v2 plugin (installed on demand).
#
#   bash .ci/validate-compose.sh
#
# `docker compose config` needs the service env_file (.env) to exist; a fresh
# clone has none (it is gitignored), so .env.example is copied to .env for the
# check and removed again afterwards. An existing .env is used as is and never
# touched. The secret file ./secrets/django_secret_key is not needed by
# `config` (compose only checks it when creating containers).
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-compose.sh

created_env=""
cleanup() { if [ -n "$created_env" ]; then rm -f .env; fi; }
trap cleanup EXIT

if [ ! -e .env ]; then
    cp .env.example .env
    created_env=1
fi

docker compose -f docker-compose.yml config -q
echo "docker-compose.yml: valid ($(docker compose version --short 2>/dev/null || docker compose version))"
