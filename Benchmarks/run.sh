#!/usr/bin/env bash
# The benchmarks (see README.md): the codec, pipeline and upstream microbenchmarks, then the fan-out
# comparison of the gateway against nginx+nchan.
#
#   Benchmarks/run.sh                 everything (fan-out: about 55 minutes, scenarios a-h, 3 runs each)
#   Benchmarks/run.sh --quick         a smoke run of a few seconds that proves everything starts
#   Benchmarks/run.sh --only micro    just the codec, pipeline and upstream microbenchmarks
#   Benchmarks/run.sh --only fanout   just the fan-out comparison; its options: --only fanout --help
#   Benchmarks/run.sh --only publish  POSTs into one endpoint with 1,000 clients (publish.py; --help)
#
# The fan-out part installs what it needs from Debian when missing (nginx-light,
# libnginx-mod-nchan, gcc, zlib1g-dev, python3, and nats-server for the cluster scenario g), builds the gateway
# in release and the C load client and origin, then runs bench.py, which prints one table and
# writes the raw figures under Benchmarks/results/ (ignored by git). Every process it starts is
# stopped by pid when it ends, however it ends.
#
# Every `swift build` takes the machine's build lock (/tmp/swift-build.lock, or $SWIFT_BUILD_LOCK)
# for the build only: builds of other checkouts on the same machine wait for each other instead of
# sharing its cores, and none waits for a benchmark to end.
set -euo pipefail
cd "$(dirname "$0")"
here="$(pwd)"

only=""
quick=()
fanout_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift ;;
    --only=*) only="${1#--only=}" ;;
    --quick) quick=(--quick); fanout_args+=(--quick) ;;
    *) fanout_args+=("$1") ;;
  esac
  shift
done
case "$only" in ""|micro|fanout|publish) ;; *) echo "run.sh: --only takes micro, fanout or publish" >&2; exit 2 ;; esac

mkdir -p results
stamp=$(date -u +%Y%m%dT%H%M%SZ)

# SwiftPM keeps this package's build plan while the gateway (a path dependency) gains source
# files, then fails to find what is in them: plan afresh every run (a few seconds).
rm -f .build/release.yaml .build/debug.yaml .build/plugin-tools.yaml .build/release/description.json .build/debug/description.json

build_lock="${SWIFT_BUILD_LOCK:-/tmp/swift-build.lock}"
# Whether a process this script runs under already holds the lock (`flock LOCK Benchmarks/run.sh`):
# taking it again would wait for ourselves.
lock_held_above() {
  [ -e "$build_lock" ] || return 1
  local ino holders h pid=$$
  ino=$(stat -c %i "$build_lock") || return 1
  holders=$(awk -v ino="$ino" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == ino) print $5 }' /proc/locks 2>/dev/null)
  while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
    for h in $holders; do [ "$h" = "$pid" ] && return 0; done
    pid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)
  done
  return 1
}
swift_build() {
  if command -v flock >/dev/null 2>&1 && ! lock_held_above; then
    flock "$build_lock" swift build "$@"
  else
    swift build "$@"
  fi
}

# --- microbenchmarks ---------------------------------------------------------------------
if [ "$only" != fanout ] && [ "$only" != publish ]; then
  swift_build -c release --product CodecBenchmark
  .build/release/CodecBenchmark "${quick[@]+"${quick[@]}"}" | tee "results/codec-$stamp.txt"
  swift_build -c release --product PipelineBenchmark
  .build/release/PipelineBenchmark "${quick[@]+"${quick[@]}"}" | tee "results/pipeline-$stamp.txt"
  swift_build -c release --product UpstreamBenchmark
  .build/release/UpstreamBenchmark "${quick[@]+"${quick[@]}"}" | tee "results/upstream-$stamp.txt"
fi
[ "$only" = micro ] && exit 0

# --- fan-out: Debian packages ------------------------------------------------------------
need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_nchan_module.so ] || need+=(libnginx-mod-nchan)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)   # the load client's --gzip
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
command -v ab >/dev/null 2>&1 || need+=(apache2-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing from Debian: ${need[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# (Installing nginx may start the distribution's own nginx service; the benchmark never uses it.)

# --- fan-out: the C load client and origin -------------------------------------------------
mkdir -p .build/tools
for tool in loadclient origin; do
  libs=()
  [ "$tool" = loadclient ] && libs=(-lz)
  if [ ! -x ".build/tools/$tool" ] || [ "tools/$tool.c" -nt ".build/tools/$tool" ]; then
    gcc -O2 -Wall -pthread -o ".build/tools/$tool" "tools/$tool.c" ${libs[@]+"${libs[@]}"}
  fi
done

# --- fan-out: the gateway, release, built in this package's .build (shared with the microbenchmarks)
swift_build -c release --product gateway
gateway_bin="$(swift build -c release --show-bin-path)/gateway"

# 10,000 clients need more open files than the usual default of 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ "$only" = publish ]; then
  exec python3 "$here/publish.py" --gateway "$gateway_bin" "${fanout_args[@]+"${fanout_args[@]}"}"
fi
exec python3 "$here/bench.py" --gateway "$gateway_bin" "${fanout_args[@]+"${fanout_args[@]}"}"
