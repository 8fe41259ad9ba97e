#!/bin/sh
# Starts `hostadm serve` for this machine and says how to reach it.
set -eu
bin=$1; listen=$2; shift 2

port=${listen##*:}
addr=${listen%:*}
if [ -z "$addr" ]; then
	addr=$(hostname -I 2>/dev/null | awk '{print $1}')
	[ -n "$addr" ] || addr=127.0.0.1
fi

# The pam realm authenticates through this PAM service, as on Proxmox VE.
pamfile=/etc/pam.d/proxmox-ve-auth
if [ ! -e "$pamfile" ] && [ "$(id -u)" = 0 ]; then
	install -m 0644 "$(dirname "$0")/../packaging/pam.d/proxmox-ve-auth" "$pamfile"
	echo "installed $pamfile"
fi
cat <<MSG

hostadm is starting on https://$addr:$port/  (API: https://$addr:$port/api2/json/)
The certificate is signed by this node's own CA (pve-root-ca.pem in the store);
your browser will ask you to accept it the first time.

Log in as root@pam with this machine's root password (realm "Linux PAM"), or
create a hostadm user first in another shell:
    sudo $bin pveum user add admin@pve --password 'choose-a-password'
    sudo $bin pveum acl modify / --roles Administrator --users admin@pve
An API token for scripts:
    sudo $bin pveum user token add root@pam automation --privsep 0

Stop with Ctrl-C.
MSG
exec "$bin" serve --listen "$listen" "$@"
