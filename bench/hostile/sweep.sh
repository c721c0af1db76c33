#!/usr/bin/env bash
# The full hostile-input sweep of issue 9 against the console binary in
# tmux (a private server), three ways:
#   1. the sweep is the broker and injects every case past a conforming
#      broker's checks, console on generic '#' (log and detail panes);
#   2. the same with the console on the DRIVR platform (fleet, events);
#   3. through Mosquitto on a loopback port: what a real broker lets through
#      (it refuses what MQTT forbids, and says so per case).
# Each prints one line per case and the totals; the script fails if any
# sweep found harm.
#
#   bench/hostile/sweep.sh            # full: 10 MB payloads, 100k-deep nesting, 50k topics
#   bench/hostile/sweep.sh --reduced  # the CI-sized set
set -euo pipefail
cd "$(dirname "$0")/../.."
full=--full
[ "${1:-}" = "--reduced" ] && full=
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac

tmp="$(mktemp -d)"
mosq=""
cleanup() {
	[ -n "$mosq" ] && kill "$mosq" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/mqdeck" .
go build -o "$tmp/sweep" ./bench/hostile/sweep
status=0

echo "== 1. hostile broker, console on generic '#'"
"$tmp/sweep" --serve 127.0.0.1:0 --console "$tmp/mqdeck" $full -- --topic '#' || status=1

echo "== 2. hostile broker, console on DRIVR"
"$tmp/sweep" --serve 127.0.0.1:0 --console "$tmp/mqdeck" $full -- --platform drivr --slug company-example || status=1

echo "== 3. Mosquitto, console on generic '#'"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
printf 'listener %s 127.0.0.1\nallow_anonymous true\nlog_dest none\n' "$port" >"$tmp/mosquitto.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$tmp/mosquitto.conf"
mosquitto -c "$tmp/mosquitto.conf" &
mosq=$!
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
"$tmp/sweep" --broker "mqtt://127.0.0.1:$port" --console "$tmp/mqdeck" $full -- --topic '#' || status=1

exit $status
