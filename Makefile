# The two commands of the README, plus the benchmarks.
#   make run    build (release) and serve gateway.yaml
#   make test   the whole test suite (what CI runs)
#   make bench  the benchmarks (see Benchmarks/README.md)

CONFIG ?= gateway.yaml

.PHONY: run test build bench check

build:
	@scripts/bootstrap.sh
	swift build -c release

run: build
	.build/release/gateway run $(CONFIG)

check:
	@scripts/bootstrap.sh
	swift build
	.build/debug/gateway check $(CONFIG)

test:
	@scripts/bootstrap.sh --test
	swift build --build-tests
	swift test --skip-build
	@test -x examples/custom-plugin/ci.sh || { echo "make test: examples/custom-plugin/ci.sh is missing or not executable" >&2; exit 1; }
	examples/custom-plugin/ci.sh

bench:
	@scripts/bootstrap.sh
	Benchmarks/run.sh
