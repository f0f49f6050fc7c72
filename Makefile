# The two commands of the README, plus the benchmarks.
#   make run    build (release) and serve gateway.yaml
#   make test   the whole test suite (what CI runs)
#   make bench  the benchmarks (see Benchmarks/README.md)
#   make fuzz   each parser of untrusted bytes under libFuzzer + ASan, FUZZ_SECONDS each (see Fuzz/)
#   make test-tsan, make test-asan   the test suite under ThreadSanitizer / AddressSanitizer

CONFIG ?= gateway.yaml

FUZZ_SECONDS ?= 60

.PHONY: run test build bench check fuzz test-tsan test-asan

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
	# A smoke of every fuzz target: its seeds (the test suite's cases) and a few seconds more.
	Fuzz/run.sh 5

bench:
	@scripts/bootstrap.sh
	Benchmarks/run.sh

fuzz:
	@scripts/bootstrap.sh
	Fuzz/run.sh $(FUZZ_SECONDS)

# Separate build folders: a sanitized build shares nothing with the normal one.
test-tsan:
	@scripts/bootstrap.sh --test
	swift build --build-tests --sanitize=thread --scratch-path .build-tsan
	# One test at a time: several times slower under TSan, tests that block a thread for a moment
	# (loopback servers, blocking clients) would starve the two-thread pool of a small machine.
	# GATEWAY_TEST_SLOWDOWN: tests scale their time and CPU bounds by it (Tests/TestSupport/TestTiming.swift).
	GATEWAY_TEST_SLOWDOWN=10 TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/scripts/tsan.supp" swift test --skip-build --sanitize=thread --scratch-path .build-tsan --no-parallel

test-asan:
	@scripts/bootstrap.sh --test
	swift build --build-tests --sanitize=address --scratch-path .build-asan
	# A small quarantine: freed memory ASan holds back to catch use-after-free would otherwise count
	# in the memory bounds of the end-to-end tests (hundreds of MiB after a burst).
	GATEWAY_TEST_SLOWDOWN=4 ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=8" LSAN_OPTIONS="suppressions=$(CURDIR)/scripts/lsan.supp" swift test --skip-build --sanitize=address --scratch-path .build-asan
