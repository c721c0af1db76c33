#!/usr/bin/env bash
# Runs mqdeck's Go benchmarks with -benchmem, one package after the other
# (never in parallel: the machine has two cores). Usage, from the repo root:
#   bench/gobench.sh [extra go test flags, e.g. -count 5]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(go version | cut -d' ' -f3-), load $(cut -d' ' -f1-3 /proc/loadavg)"
run() {
	local pkg=$1 pattern=$2
	shift 2
	echo "## $pkg -bench '$pattern'"
	go test "$pkg" -run '^$' -bench "$pattern" -benchmem "$@" | grep -E '^(Benchmark|ok|FAIL)'
}
run ./decode 'DecodeJSONEvent$|DecoderJSONEventReused|DecodeMsgPackEvent$|DecodeCloudEvent|BaselineStdlibJSONMap|BaselineMsgPackLibMap|SafeClean$|SafeDirty' "$@"
run ./mqttconn/platform 'Route' "$@"
run ./tui/fleet 'Apply' "$@"
run ./tui 'Frame' "$@"
run ./bench/benchkit 'Pipeline' "$@"
run ./tui/cli 'AppendLine' "$@"
