#!/usr/bin/env bash
# The soak (not in CI): 30 minutes of upstream kills, client churn, slow clients and bursts
# against the release binary, with a checker (see soak.py). Exit status 0 when every check holds.
#
#   Benchmarks/soak.sh                 # 30 minutes
#   Benchmarks/soak.sh --minutes 3     # any option of soak.py
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "soak.sh: python3 is needed" >&2; exit 1; }
swift build -c release --product gateway
exec python3 Benchmarks/soak.py --gateway .build/release/gateway "$@"
