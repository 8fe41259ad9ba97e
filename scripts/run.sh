#!/bin/sh
# Starts `hostadm serve` for this machine and says how to reach it.
set -eu
bin=$1; listen=$2; shift 2

port=${listen##*:}
addr=$(hostname -I 2>/dev/null | awk '{print $1}')
[ -n "$addr" ] || addr=127.0.0.1
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
