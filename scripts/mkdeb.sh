#!/bin/sh
# Builds hostadm_VERSION_ARCH.deb with dpkg-deb over a staged tree.
#   mkdeb.sh [OUTDIR]     VERSION=... overrides the version taken from git.
# The web UI must be built first (make deb does that).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/bin}
pkg=$top/packaging
arch=$(dpkg --print-architecture)

# The version: 0.1.0 from a v0.1.0 tag, else the base version in the source
# plus the commit count (so every later commit sorts higher) and its id.
if [ -z "${VERSION:-}" ]; then
	base=$(sed -n 's/^var HostadmVersion = "\(.*\)"$/\1/p' "$top/internal/api/version.go")
	if desc=$(git -C "$top" describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
		VERSION=${desc#v}
	else
		VERSION="$base+git$(git -C "$top" rev-list --count HEAD).$(git -C "$top" rev-parse --short=8 HEAD)"
	fi
fi

stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/pam.d" \
	"$stage/usr/share/doc/hostadm" "$stage/usr/share/man/man1" \
	"$stage/usr/share/bash-completion/completions" "$stage/usr/share/lintian/overrides"

# Hardened like Debian's own builds: PIE, full RELRO, fortified C (the PAM glue).
CGO_CFLAGS="-g -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong" \
CGO_LDFLAGS="-Wl,-z,relro -Wl,-z,now" \
	go build -C "$top" -trimpath -buildmode=pie \
	-ldflags "-s -w -X hostadm/internal/api.HostadmVersion=$VERSION -extldflags '-Wl,-z,relro -Wl,-z,now'" \
	-o "$stage/usr/bin/hostadm" ./cmd/hostadm
bin=$stage/usr/bin/hostadm

# Only the tool names this build knows get links.
links=""
for name in $(grep -v '^#' "$pkg/deb/links"); do
	if ! "$bin" "$name" --help 2>&1 | grep -q "unknown command"; then
		links="$links $name"
	fi
done
links=${links# }
units=""
for u in "$pkg"/*.service; do
	install -m 0644 "$u" "$stage/lib/systemd/system/"
	units="$units $(basename "$u")"
done
units=${units# }
install -m 0644 "$pkg/pam.d/proxmox-ve-auth" "$stage/etc/pam.d/"
install -m 0644 "$top/README.md" "$stage/usr/share/doc/hostadm/"
install -m 0644 "$pkg/deb/lintian-overrides" "$stage/usr/share/lintian/overrides/hostadm"
install -m 0644 "$pkg/deb/copyright" "$stage/usr/share/doc/hostadm/copyright"
sed "s/@VERSION@/$VERSION/; s/@DATE@/$(date -R -d @"$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)")/" \
	"$pkg/deb/changelog.in" | gzip -9n >"$stage/usr/share/doc/hostadm/changelog.gz"

# A man page per tool, made from the tool's own --help output.
"$top/scripts/mkman.sh" "$bin" "$VERSION" "$stage/usr/share/man/man1" hostadm $links
install -m 0644 "$pkg/deb/bash-completion" "$stage/usr/share/bash-completion/completions/hostadm"

for s in postinst prerm postrm; do
	sed "s/@LINKS@/$links/; s/@UNITS@/$units/" "$pkg/deb/$s" >"$stage/DEBIAN/$s"
	chmod 0755 "$stage/DEBIAN/$s"
done
printf '/etc/pam.d/proxmox-ve-auth\n' >"$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed "s/@VERSION@/$VERSION/; s/@ARCH@/$arch/; s/@SIZE@/$size/" "$pkg/deb/control.in" >"$stage/DEBIAN/control"
(cd "$stage" && find usr lib etc -type f -exec md5sum {} + | sort -k2) >"$stage/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/hostadm_${VERSION}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
