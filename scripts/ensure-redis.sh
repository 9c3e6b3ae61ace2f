#!/usr/bin/env bash
# Make sure Debian's redis-server is installed for the Redis store's tests and
# the cluster tests. The tests start their own redis-server on a free port
# (no persistence) and stop it; this script only installs the binary. It never
# starts a Redis service. Idempotent: does nothing when redis-server is there.
set -euo pipefail

REDIS_SERVER=${REDIS_SERVER_PATH:-redis-server}

if command -v "$REDIS_SERVER" >/dev/null 2>&1; then
  echo "redis-server: $("$REDIS_SERVER" --version)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server is missing and apt-get is not available." >&2
  echo "Install Redis (6.2 or later) with your system's package manager, or set REDIS_SERVER_PATH." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "ensure-redis: need root (or sudo) to apt-get install redis-server." >&2
    exit 1
  fi
fi

echo "ensure-redis: installing Debian's redis-server package…"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# Where an init system runs, the package also starts a Redis service on 6379: the tests never use it.
$SUDO apt-get install -y --no-install-recommends redis-server

if ! command -v "$REDIS_SERVER" >/dev/null 2>&1; then
  echo "ensure-redis: apt-get finished but redis-server is still missing." >&2
  exit 1
fi
echo "redis-server: $("$REDIS_SERVER" --version)"
