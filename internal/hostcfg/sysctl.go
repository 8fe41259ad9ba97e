package hostcfg

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/sysctlconf"
)

// SysctlSnippet is the sysctl.d file hostadm owns.
const SysctlSnippet = "/etc/sysctl.d/99-hostadm.conf"

const sysctlHeader = "# Managed by hostadm (PUT /nodes/{node}/sysctl): swappiness and IPv6.\n"

// IPv6 keys written to disable or enable IPv6, as the Proxmox VE
// documentation gives them.
var ipv6Keys = []string{"net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"}

// Sysctl reads the live values and what the snippet persists.
func (s *Service) Sysctl(_ context.Context) (map[string]any, error) {
	out := map[string]any{"file": SysctlSnippet}
	if v, ok := s.procSys("vm.swappiness"); ok {
		out["swappiness"] = v
	}
	if v, ok := s.procSys(ipv6Keys[0]); ok {
		out["ipv6"] = 1 - v
	}
	b, err := s.readFile(SysctlSnippet)
	if err != nil {
		return nil, err
	}
	f, err := sysctlconf.Parse(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if v, ok := f.Get("vm.swappiness"); ok {
		out["persisted-swappiness"] = v
	}
	if v, ok := f.Get(ipv6Keys[0]); ok {
		out["persisted-ipv6"] = map[string]int{"1": 0, "0": 1}[v]
	}
	out["digest"] = host.Digest(b)
	return out, nil
}

func (s *Service) procSys(key string) (int, bool) {
	b, err := s.cfg.Root.ReadFile("/proc/sys/" + strings.ReplaceAll(key, ".", "/"))
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}

// SysctlChange says what to set; nil fields stay as they are.
type SysctlChange struct {
	Swappiness *int
	IPv6       *bool
	Digest     string
}

// SetSysctl writes the snippet (other lines kept) and applies it with
// `sysctl -p FILE`; when applying fails the old snippet is put back.
func (s *Service) SetSysctl(ctx context.Context, ch SysctlChange) error {
	if ch.Swappiness != nil && (*ch.Swappiness < 0 || *ch.Swappiness > 200) {
		return fmt.Errorf("swappiness %d out of range 0..200", *ch.Swappiness)
	}
	unlock, err := s.cfg.Root.Lock(ctx, host.PrivateLock("sysctl"), lockWait)
	if err != nil {
		return err
	}
	defer unlock()
	old, err := s.readFile(SysctlSnippet)
	if err != nil {
		return err
	}
	if err := host.CheckDigest(host.Digest(old), ch.Digest); err != nil {
		return err
	}
	src := old
	if len(src) == 0 {
		src = []byte(sysctlHeader)
	}
	f, err := sysctlconf.Parse(bytes.NewReader(src))
	if err != nil {
		return err
	}
	if ch.Swappiness != nil {
		f.Set("vm.swappiness", strconv.Itoa(*ch.Swappiness))
	}
	if ch.IPv6 != nil {
		v := "1"
		if *ch.IPv6 {
			v = "0"
		}
		for _, k := range ipv6Keys {
			f.Set(k, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	if err := s.writeFile(ctx, SysctlSnippet, old, buf.Bytes()); err != nil {
		return err
	}
	if _, err := s.run(ctx, 30*time.Second, "sysctl", "-p", s.cfg.Root.Path(SysctlSnippet)); err != nil {
		s.restore(ctx, SysctlSnippet, old)
		return fmt.Errorf("apply %s: %w", SysctlSnippet, err)
	}
	return nil
}

// restore puts back what a file held before (removing a new file).
func (s *Service) restore(ctx context.Context, p string, old []byte) {
	var err error
	if old == nil {
		err = removeFile(s.cfg.Root.Path(p))
	} else {
		err = s.cfg.Root.WriteFileContext(ctx, p, old, 0o644)
	}
	if err != nil {
		s.cfg.Logger.Error("restore after failed apply", "file", p, "err", err.Error())
	}
}
