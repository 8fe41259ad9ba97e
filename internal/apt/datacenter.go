package apt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"hostadm/internal/cfs"
)

// datacenterCfg is the cluster-wide options file in the cluster store.
const datacenterCfg = "datacenter.cfg"

// DatacenterValue returns a key of datacenter.cfg ("key: value" lines,
// '#' comments, as Proxmox writes it); "" when absent.
func DatacenterValue(raw []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// datacenter reads datacenter.cfg from the cluster store; a missing file
// or store is an empty configuration.
func (s *Service) datacenter(ctx context.Context) ([]byte, error) {
	if s.cfg.Store == nil {
		return nil, nil
	}
	e, err := s.cfg.Store.Get(ctx, datacenterCfg)
	if errors.Is(err, cfs.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", datacenterCfg, err)
	}
	return e.Data, nil
}

// httpProxy is datacenter.cfg's http_proxy. Proxmox's schema requires
// "http://…"; hostadm also refuses what would break the apt.conf line it
// is written into (quotes, white space, control characters), and reports
// a refused value so the task log says why no proxy is used.
func httpProxy(dc []byte) (proxy string, err error) {
	p := DatacenterValue(dc, "http_proxy")
	if p == "" {
		return "", nil
	}
	if !strings.HasPrefix(p, "http://") || strings.ContainsFunc(p, func(r rune) bool {
		return r <= ' ' || r == '"' || r == '\\' || r == ';' || r == 0x7f
	}) {
		return "", fmt.Errorf("%s: ignoring invalid http_proxy '%s' (expected http://HOST[:PORT])", datacenterCfg, p)
	}
	return p, nil
}
