#!/usr/bin/env bash
# The MyFamily benchmark, from a fresh clone, in one command:
#   bench/run.sh                  3 alternating rounds of 30 s per server (8 to 10 minutes)
#   BENCH_QUICK=1 bench/run.sh    the same with 5 s runs
# Needs PostgreSQL (BENCH_POSTGRES_URL, default postgresql://root@127.0.0.1:5432/test, a
# role that may create databases; the local server is started if it is down). Installs what
# is missing: the project's .venv (as ./dev does) with the `bench` extra (py-spy), and wrk
# from Debian. Other settings: see the docstring of bench/myfamily_bench.py. The last line
# printed is the result.
set -euo pipefail
cd "$(dirname "$0")/.."

./dev --help >/dev/null   # creates .venv and installs the project when needed
if [ ! -x .venv/bin/py-spy ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,bench]"
fi
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null
  fi
fi

# The local PostgreSQL server, started as .ci/run starts it, when it is the one used and down.
if [ -z "${BENCH_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 &&
   ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

exec .venv/bin/python bench/myfamily_bench.py
