#!/usr/bin/env bash
# CI for the custom-plugin example: build the package (its own gateway binary, custom-gateway, with the
# `redact` plugin), run its tests, check its gateway.yaml, whose plan must show `redact`, and run
# the configuration's test cases (gateway.test.yaml) with that binary, whose `plugins` must list redact and its options.
set -euo pipefail
cd "$(dirname "$0")"

command -v swift >/dev/null 2>&1 || {
  echo "examples/custom-plugin/ci.sh: 'swift' is not on PATH; install Swift 6 (https://swift.org/install)" >&2
  exit 1
}

swift build
swift test

plan=$(./.build/debug/custom-gateway check gateway.yaml)
echo "$plan"
grep -q "redact data.user.email (remove)" <<<"$plan" || {
  echo "examples/custom-plugin/ci.sh: the plan does not show the redact step" >&2
  exit 1
}
./.build/debug/custom-gateway test gateway.yaml
# The binary lists its own plugin, with the options it declares.
./.build/debug/custom-gateway plugins | grep -q "redact" || {
  echo "examples/custom-plugin/ci.sh: 'custom-gateway plugins' does not list redact" >&2
  exit 1
}
./.build/debug/custom-gateway plugins redact | grep -q "^mask " || {
  echo "examples/custom-plugin/ci.sh: 'custom-gateway plugins redact' does not show the mask option" >&2
  exit 1
}
echo "custom-plugin: OK"
