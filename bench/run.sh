#!/usr/bin/env bash
# The MyFamily benchmark, from a fresh clone, in one command:
#   bench/run.sh                  3 alternating rounds of 30 s per server (about 10 minutes)
#   BENCH_QUICK=1 bench/run.sh    the same with 5 s runs
# Needs PostgreSQL (BENCH_POSTGRES_URL, default postgresql://root@127.0.0.1:5432/test, a
# role that may create databases). Installs what is missing: the project's .venv (as ./dev
# does) with the `bench` extra (py-spy), and wrk from Debian. Other settings: see the
# docstring of bench/myfamily_bench.py. The last line printed is the result.
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

exec .venv/bin/python bench/myfamily_bench.py
