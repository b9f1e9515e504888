#!/usr/bin/env bash
# The system packages the test suite uses, on Debian/Ubuntu: bubblewrap (the
# sandbox), ripgrep (search), git, redis-server (the Redis queue tests),
# python3-pytest (Python tasks and tools), chromium (the job page test).
# Installs only what is missing; then makes sure a Redis answers on 127.0.0.1:6379.
set -euo pipefail

missing=()
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v rg >/dev/null || missing+=(ripgrep)
command -v git >/dev/null || missing+=(git)
command -v redis-server >/dev/null || missing+=(redis-server)
# The sandbox runs commands with this PATH, not the caller's: a pytest that
# only a pyenv or virtualenv python has is not one the tests can use.
SANDBOX_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
env -i PATH="$SANDBOX_PATH" python3 -c "import pytest" >/dev/null 2>&1 || missing+=(python3-pytest)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/lib/git-core/git-http-backend ] || missing+=(git)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
echo "system dependencies ready"
