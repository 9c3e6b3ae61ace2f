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

# Where an init system runs, the package also starts a Redis service on 6379: the tests never use it.
if ! bash "$(dirname "$0")/apt-install.sh" ensure-redis redis-server; then
  echo "ensure-redis: redis-server is missing: install Redis (6.2 or later) with your system's package manager, or set REDIS_SERVER_PATH." >&2
  exit 1
fi

if ! command -v "$REDIS_SERVER" >/dev/null 2>&1; then
  echo "ensure-redis: apt-get finished but redis-server is still missing." >&2
  exit 1
fi
echo "redis-server: $("$REDIS_SERVER" --version)"
