#!/usr/bin/env bash
# Installs everything stac-ingest needs, on a fresh Debian-like machine that has only
# python3, make and apt. Idempotent: each step checks first and does nothing when its
# tool is already there. `make demo` and `make test` both run it.
#
#   scripts/bootstrap.sh [--with-browser]
#
# Steps: uv (into .tools/ when missing), the Python environment (uv sync, from uv.lock),
# PostgreSQL with PostGIS (apt), Node.js and the pinned CDK CLI (npm ci), and with
# --with-browser Debian's chromium for the map rendering test.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
WITH_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=1 ;;
    *) echo "bootstrap: unknown argument $arg" >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

APT_UPDATED=0
apt_install() {
  # apt_install PKG... : installs Debian packages, or says exactly what to install.
  if ! command -v apt-get >/dev/null 2>&1; then
    die "apt-get is not available; install these packages yourself: $*"
  fi
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    die "need root or sudo to install: $*  (run: apt-get install -y $*)"
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    $SUDO apt-get update -qq || die "apt-get update failed; install these packages yourself: $*"
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get could not install: $*"
}

# --- uv -------------------------------------------------------------------------------
UV=$(command -v uv || true)
if [ -z "$UV" ] && [ -x "$ROOT/.tools/bin/uv" ]; then UV="$ROOT/.tools/bin/uv"; fi
if [ -z "$UV" ]; then
  say "installing uv into .tools/"
  command -v python3 >/dev/null 2>&1 || die "python3 is missing: apt-get install -y python3"
  if ! python3 -m venv "$ROOT/.tools" >/dev/null 2>&1; then
    rm -rf "$ROOT/.tools"
    apt_install python3-venv
    python3 -m venv "$ROOT/.tools" || die "python3 -m venv failed"
  fi
  "$ROOT/.tools/bin/python" -m pip install -q uv || die "pip could not install uv from the package index"
  UV="$ROOT/.tools/bin/uv"
fi
echo "$UV" > "$ROOT/.uv-path"

# --- Python environment ------------------------------------------------------------------
say "uv sync (locked)"
"$UV" sync --locked --all-extras --python 3.11 -q 2>/dev/null \
  || "$UV" sync --locked --all-extras -q \
  || die "uv sync failed"

# --- PostgreSQL with PostGIS -----------------------------------------------------------
pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && { pg_config --bindir; return 0; }
  return 1
}
has_postgis() {
  local bindir=$1 share
  share=$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$(basename "$(dirname "$bindir")")")
  ls "$share"/extension/postgis.control >/dev/null 2>&1
}
BINDIR=$(pg_bindir || true)
if [ -z "$BINDIR" ]; then
  apt_install postgresql
  BINDIR=$(pg_bindir || true)
  [ -n "$BINDIR" ] || die "PostgreSQL binaries not found after install; install postgresql and postgis"
fi
if ! has_postgis "$BINDIR"; then
  PGV=$(basename "$(dirname "$BINDIR")")
  apt_install "postgresql-${PGV}-postgis-3"
  has_postgis "$BINDIR" || die "PostGIS not found for PostgreSQL ${PGV}; install postgresql-${PGV}-postgis-3"
fi

# --- Node.js and the pinned CDK CLI -------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
if [ ! -x node_modules/.bin/cdk ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (CDK CLI)"
  npm ci --no-audit --no-fund --silent || die "npm ci failed"
fi

# --- Chromium, for the rendering test of the coverage map ------------------------------------
if [ "$WITH_BROWSER" -eq 1 ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium || say "chromium could not be installed; the map rendering test will fail"
fi

say "ready"
