#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and AddressSanitizer and runs each for SECONDS
# (default 60): `make fuzz`, or `Fuzz/run.sh 600`, or `Fuzz/run.sh 10 FuzzJSON` for one target.
#
# Each target starts from its seed corpus (Fuzz/Corpus/<target>, the test suite's cases) and
# grows a working corpus under Fuzz/.build/corpus (ignored by git). Any crash, leak, timeout
# (10 s for one input) or memory blow-up (2 GiB) fails the run and leaves the input that
# caused it under Fuzz/.build/crashes: add it to the seeds and to a regression test.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzSSEParser FuzzJSON FuzzConfig FuzzMatcher FuzzHTTPRequest FuzzNATSSubject FuzzPublishBody FuzzJWT)

# Swift code gets coverage and ASan from swiftc; the C inside (libyaml, under Yams) too.
# `-parse-as-library`: libFuzzer's runtime provides `main`.
flags=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xcc -fsanitize=fuzzer-no-link,address)
# (gold warns once per ASan helper symbol that it cannot export; those lines say nothing.)
swift build "${flags[@]}" 2>&1 | grep -v "Cannot export local symbol" || true
swift build "${flags[@]}" >/dev/null 2>&1 || { echo "fuzz: the build failed" >&2; swift build "${flags[@]}" 2>&1 | grep -E "error" >&2; exit 1; }
bin="$(swift build "${flags[@]}" --show-bin-path)"

# libFuzzer reports a crash itself; Swift's backtracer would only hold the crashed process (and
# the descriptors it inherited, such as a build lock) for half a minute more.
export SWIFT_BACKTRACE=enable=no

mkdir -p .build/crashes
failed=()
for target in "${targets[@]}"; do
  corpus=".build/corpus/$target"
  mkdir -p "$corpus"
  echo "== $target: $seconds s (seeds: $(ls "Corpus/$target" | wc -l))"
  log=".build/$target.log"
  if LSAN_OPTIONS="suppressions=$PWD/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" "$bin/GatewayFuzz" "$target" "$corpus" "Corpus/$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix=".build/crashes/$target-" >"$log" 2>&1; then
    execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "   ok: $runs inputs, $execs per second, corpus $(ls "$corpus" | wc -l) files"
  else
    echo "   FAILED (see Fuzz/$log; the input is under Fuzz/.build/crashes):"
    grep -E "ERROR|SUMMARY|Fatal error|precondition|panic" "$log" | head -5 | sed 's/^/   /'
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${failed[*]} failed" >&2
  exit 1
fi
