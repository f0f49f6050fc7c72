#!/usr/bin/env bash
# Builds the benchmarks (release) and runs them; extra arguments go to each benchmark (`--quick` for a
# sub-second smoke run). Each table is also saved under Benchmarks/results/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")"
swift build -c release --product CodecBenchmark
mkdir -p results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
.build/release/CodecBenchmark "$@" | tee "results/codec-$stamp.txt"
swift build -c release --product PipelineBenchmark
.build/release/PipelineBenchmark "$@" | tee "results/pipeline-$stamp.txt"
swift build -c release --product UpstreamBenchmark
.build/release/UpstreamBenchmark "$@" | tee "results/upstream-$stamp.txt"
