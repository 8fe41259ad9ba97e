package hostcfg

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/hostsfile"
	"hostadm/internal/hostcfg/resolvconf"
)

// DNS reads /etc/resolv.conf as GET /nodes/{node}/dns shows it: search,
// dns1..dns3, absent keys when not configured.
func (s *Service) DNS(_ context.Context) (map[string]string, error) {
	b, err := s.readFile("/etc/resolv.conf")
	if err != nil {
		return nil, err
	}
	f, err := resolvconf.Parse(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if v := f.Search(); v != "" {
		out["search"] = v
	}
	for i, ns := range f.Nameservers() {
		out["dns"+string(rune('1'+i))] = ns
	}
	return out, nil
}

// ErrBadSearch is returned for a search domain that is not a list of DNS
// names (it would otherwise inject lines into resolv.conf).
var ErrBadSearch = errors.New("invalid format - value does not look like a valid DNS name")

var reSearchItem = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([a-zA-Z0-9_]([a-zA-Z0-9\-_]*[a-zA-Z0-9_])?\.)*[a-zA-Z0-9_]([a-zA-Z0-9\-_]*[a-zA-Z0-9_])?\.?$`)
})

// SetDNS replaces search and name servers in /etc/resolv.conf (a full
// replacement: servers not given are dropped) and keeps every other line.
func (s *Service) SetDNS(ctx context.Context, search string, servers []string) error {
	items := strings.Fields(search)
	if len(items) == 0 || strings.ContainsAny(search, "\n\r\x00") {
		return ErrBadSearch
	}
	for _, it := range items {
		if !reSearchItem().MatchString(it) {
			return ErrBadSearch
		}
	}
	// Shared with Proxmox's DNS update, so at its path; host.LockFile
	// opens it safely (no symlinks, 0600).
	unlock, err := s.cfg.Root.Lock(ctx, "/etc/resolv.conf.lock", lockWait)
	if err != nil {
		return err
	}
	defer unlock()
	old, err := s.readFile("/etc/resolv.conf")
	if err != nil {
		return err
	}
	f, err := resolvconf.Parse(bytes.NewReader(old))
	if err != nil {
		return err
	}
	f.Set(search, servers)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return s.writeFile(ctx, "/etc/resolv.conf", old, buf.Bytes())
}

// Hosts returns /etc/hosts and its SHA-1 digest.
func (s *Service) Hosts(_ context.Context) (data, digest string, err error) {
	b, err := s.readFile("/etc/hosts")
	if err != nil {
		return "", "", err
	}
	return string(b), host.Digest(b), nil
}

// SetHosts validates and writes /etc/hosts under Proxmox's lock, after the
// digest check. A validation failure is a *hostsfile.LineError.
func (s *Service) SetHosts(ctx context.Context, data, digest string) error {
	f, err := hostsfile.Parse(strings.NewReader(data))
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	// Shared with Proxmox's /etc/hosts writer, so at its path in the
	// world-writable /var/lock: host.LockFile replaces a symlink or a
	// file other users can open, and creates it 0600.
	unlock, err := s.cfg.Root.Lock(ctx, "/var/lock/pve-etchosts.lck", lockWait)
	if err != nil {
		return err
	}
	defer unlock()
	old, err := s.readFile("/etc/hosts")
	if err != nil {
		return err
	}
	if err := host.CheckDigest(host.Digest(old), digest); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return s.writeFile(ctx, "/etc/hosts", old, buf.Bytes())
}
