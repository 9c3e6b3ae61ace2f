#!/usr/bin/env bash
# Installs Debian packages for a test stage: `bash scripts/apt-install.sh <who> <package>…`.
# Shared by ensure-chromium.sh and ensure-redis.sh, which call it only when
# their binary is missing. Needs apt-get, and root or sudo; `<who>` prefixes
# the messages. Runs `apt-get update` once per machine boot (marker in /tmp),
# so a stage that installs after another does not refresh the lists again.
set -euo pipefail

WHO=$1
shift

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$WHO: apt-get is not available to install $*." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "$WHO: need root (or sudo) to apt-get install $*." >&2
    exit 1
  fi
fi

echo "$WHO: installing Debian's $* …"
export DEBIAN_FRONTEND=noninteractive
UPDATED=/tmp/.oauth1-apt-updated
update() {
  $SUDO apt-get update
  touch "$UPDATED" 2>/dev/null || true
}
[ -e "$UPDATED" ] || update
if ! $SUDO apt-get install -y --no-install-recommends "$@"; then
  update
  $SUDO apt-get install -y --no-install-recommends "$@"
fi
