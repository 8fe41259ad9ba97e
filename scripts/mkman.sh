#!/bin/sh
# Writes a man page per tool from the tool's own --help output, so the page
# never drifts from the code.  mkman.sh BINARY VERSION DIR NAME...
# "hostadm" gets hostadm.1; every other NAME gets hostadm-NAME.1 (the plain
# names may belong to Proxmox VE's packages).
set -eu
bin=$1 version=$2 dir=$3
shift 3
for name in "$@"; do
	if [ "$name" = hostadm ]; then
		page=hostadm
		help=$("$bin" help 2>&1 || true)
		summary="Proxmox VE-compatible host administration daemon and tools"
	else
		page=hostadm-$name
		help=$("$bin" "$name" --help 2>&1 || true) # usage texts exit 255
		summary="the $name tool of hostadm (also run as 'hostadm $name')"
	fi
	{
		printf '.TH %s 1 "" "hostadm %s" "hostadm"\n' "$(echo "$page" | tr a-z A-Z)" "$version"
		printf '.SH NAME\n%s \\- %s\n' "$page" "$summary"
		printf '.SH SYNOPSIS\n.B hostadm %s\n.RI [ arguments ]\n' "$([ "$name" = hostadm ] && echo COMMAND || echo "$name")"
		printf '.SH DESCRIPTION\nThe text below is the command'"'"'s own help output.\n.PP\n.nf\n'
		printf '%s\n' "$help" | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
		printf '.fi\n.SH SEE ALSO\n.BR hostadm (1)\n'
	} | gzip -9n >"$dir/$page.1.gz"
done
