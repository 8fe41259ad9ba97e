#!/bin/sh
# Load-tests GET /api2/json/nodes/NODE/status with wrk against a real
# `hostadm serve` over a temporary host root, on loopback only, and prints
# wrk's requests/s and latency percentiles. Needs root (the token is minted
# in-process, as `pveum` does on a node) and wrk (Debian package wrk).
#   bench-status.sh [DURATION [CONNECTIONS [THREADS]]]    defaults: 10s 16 2
# HOSTADM_BIN names a built binary; otherwise one is built into the temp dir.
set -eu
duration=${1:-10s}; conns=${2:-16}; threads=${3:-2}
node=benchnode
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { echo "bench-status: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

bin=${HOSTADM_BIN:-}
if [ -z "$bin" ]; then
	bin=$tmp/hostadm
	go build -o "$bin" ./cmd/hostadm
fi

# The host root: the /proc files node status reads, from the metrics
# package's captured fixtures (as daemontest.WriteProc does).
root=$tmp/root
fx=internal/metrics/testdata
mkdir -p "$root/proc/net" "$root/sys/kernel/mm/ksm"
cp "$fx/stat.vm-amd64" "$root/proc/stat"
cp "$fx/meminfo.vm-amd64" "$root/proc/meminfo"
cp "$fx/loadavg.vm-amd64" "$root/proc/loadavg"
cp "$fx/uptime.vm-amd64" "$root/proc/uptime"
cp "$fx/cpuinfo.vm-amd64-epyc" "$root/proc/cpuinfo"
cp "$fx/netdev.vm-amd64" "$root/proc/net/dev"
echo 256 >"$root/sys/kernel/mm/ksm/pages_sharing"

secret=$("$bin" pveum user token add root@pam bench --privsep 0 --output-format json \
	--root "$root" --node "$node" | sed -n 's/.*"value":"\([^"]*\)".*/\1/p')
[ -n "$secret" ] || { echo "bench-status: could not mint the API token" >&2; exit 1; }

# Port 0: the daemon logs the address it got.
"$bin" serve --root "$root" --node "$node" --listen 127.0.0.1:0 --log-level info 2>"$tmp/serve.log" &
pid=$!
addr=""
for _ in $(seq 1 300); do
	addr=$(sed -n 's/.*msg="hostadm serving" listen=\([^ ]*\).*/\1/p' "$tmp/serve.log")
	[ -n "$addr" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$addr" ] || { echo "bench-status: daemon did not start" >&2; cat "$tmp/serve.log" >&2; exit 1; }
url=https://$addr/api2/json/nodes/$node/status

# wrk does not verify certificates; the daemon's CA lives in its store.
code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: PVEAPIToken=root@pam!bench=$secret" "$url")
[ "$code" = 200 ] || { echo "bench-status: probe answered $code" >&2; exit 1; }

cat >"$tmp/auth.lua" <<LUA
wrk.headers["Authorization"] = "PVEAPIToken=root@pam!bench=$secret"
LUA
"$bin" version
echo "wrk -t$threads -c$conns -d$duration --latency GET $url"
wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$tmp/auth.lua" "$url"
