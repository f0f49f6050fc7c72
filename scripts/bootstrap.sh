#!/usr/bin/env bash
# Installs what building and testing the gateway needs on a Debian machine that has Swift:
# libcurl's headers (the sse and poll sources use libcurl), libnats's (the cluster and the nats
# source use the NATS C client), pkg-config, python3; with --test, also what the test suite drives
# (chromium, openssl, curl, nats-server, Python's prometheus_client). Safe to run again. A gateway
# without `cluster:` needs no NATS server to run.
set -euo pipefail

need=()
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || need+=(libcurl4-openssl-dev)
dpkg -s libnats-dev >/dev/null 2>&1 || need+=(libnats-dev)
# gzip'd streams are compressed with zlib.
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# The exec transform's tests and examples run small Python 3 programs.
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${1:-}" = "--test" ]; then
  # The dashboard test renders the page in a real headless browser; the HTTPS test makes a
  # certificate with openssl and reads the stream with curl.
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  # The cluster tests start their own JetStream server on a free port.
  command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
  # The metrics test checks /metrics with the Prometheus project's own text parser (Debian's
  # python3, /usr/bin/python3, imports it; a python3 of pyenv or a venv may not).
  dpkg -s python3-prometheus-client >/dev/null 2>&1 || need+=(python3-prometheus-client)
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi

command -v swift >/dev/null 2>&1 || { echo "swift is not on PATH; install Swift 6 first (https://swift.org/install)" >&2; exit 1; }
