#!/usr/bin/env bash
# The long soak of issue 9 (TestSoak): the simulator at scale on Mosquitto with devices
# coming and going, watched by the console binary (tmux) and the same code
# in-process; readings of RSS, threads, goroutines and heap at intervals,
# and a check that they stay flat. First TestSoakAcceleratedPlateau runs the
# same fleet for two simulated hours with the default caps (a few minutes
# of CPU) to show where memory levels off.
#
#   bench/reliability/soak.sh            # 30 minutes, a reading every 30 s
#   bench/reliability/soak.sh 10m 15s    # duration, interval
#
# Output goes to the terminal and to $TMPDIR/mqdeck-soak-<date>.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-30m}"
interval="${2:-30s}"
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
log="${TMPDIR:-/tmp}/mqdeck-soak-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "soak: $duration, readings every $interval; log in $log"
# The timeout leaves room for the build and the wind-down.
MQDECK_SOAK="$duration" MQDECK_SOAK_INTERVAL="$interval" MQDECK_REQUIRE_MOSQUITTO=1 \
	go test -count=1 -v -run '^TestSoak' -timeout 6h ./bench/reliability/ 2>&1 | tee "$log"
