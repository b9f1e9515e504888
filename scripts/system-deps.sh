#!/usr/bin/env bash
# The system packages the test suite uses, on Debian/Ubuntu: bubblewrap (the
# sandbox), ripgrep (search), git, postgresql (the PostgreSQL job store tests),
# python3-pytest (Python tasks and tools), chromium (the job page test).
# Installs only what is missing; then makes sure a PostgreSQL answers on
# 127.0.0.1:5432 and lets user postgres in from there without a password
# (the tests make and drop databases of their own).
set -euo pipefail

missing=()
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v rg >/dev/null || missing+=(ripgrep)
command -v git >/dev/null || missing+=(git)
command -v pg_isready >/dev/null || missing+=(postgresql)
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

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting postgresql on 127.0.0.1:5432"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  cluster_conf=/etc/postgresql/$version/main
  if [ ! -d "$cluster_conf" ]; then $sudo pg_createcluster "$version" main >/dev/null; fi
  # Test-only server: trust on loopback, so the tests need no password.
  if ! $sudo grep -q "issuesmith-tests" "$cluster_conf/pg_hba.conf"; then
    printf '%s\n' "# issuesmith-tests" "host all postgres 127.0.0.1/32 trust" "host all postgres ::1/128 trust" |
      $sudo sh -c "cat - $cluster_conf/pg_hba.conf > $cluster_conf/pg_hba.conf.new && mv $cluster_conf/pg_hba.conf.new $cluster_conf/pg_hba.conf"
  fi
  $sudo pg_ctlcluster "$version" main start || $sudo service postgresql start
  for _ in $(seq 1 100); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.1; done
fi
pg_isready -h 127.0.0.1 -p 5432 >/dev/null
echo "system dependencies ready"
