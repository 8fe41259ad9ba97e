#!/bin/sh
# Installs the Debian packages hostadm needs, only those that are missing.
#   deps.sh run   what `make run` needs (building with cgo for PAM)
#   deps.sh test  what `make test` needs besides
set -eu

run_pkgs="gcc libc6-dev libpam0g-dev libpam-modules ca-certificates"
test_pkgs="$run_pkgs iproute2 diffutils ifupdown2 apt-utils gnupg chromium chrony gdisk e2fsprogs lvm2 influxdb graphite-carbon btrfs-progs xfsprogs"
# One line per area, so that areas add packages without touching each other.
test_pkgs="$test_pkgs dosfstools fusefat mtools qemu-system-x86"
test_pkgs="$test_pkgs mmdebstrap lintian systemd" # the .deb test (packaging/deb_test.go)
test_pkgs="$test_pkgs fwupd" # the live fwupdmgr test (internal/hostcfg)
test_pkgs="$test_pkgs bind9 bind9-utils" # ACME dns-01 tests (internal/acme/acmetest)

case "${1:-}" in
run) want=$run_pkgs ;;
test) want=$test_pkgs ;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
# The web UI is built with npm (`make ui`): Debian's nodejs and npm only
# when the machine has none on its PATH (it may carry a newer Node.js).
command -v node >/dev/null 2>&1 || want="$want nodejs"
command -v npm >/dev/null 2>&1 || want="$want npm"

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "hostadm needs these Debian packages:$missing (run as root or install them)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
