package apt

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hostadm/internal/host"
)

// sandboxConf is where the apt configuration for a non-"/" root is kept.
const sandboxConf = "/var/lib/hostadm/apt-sandbox.conf"

// aptCmd builds an apt command. On a root other than "/", APT_CONFIG
// points apt at the root's own directories (Dir) and dpkg at the root's
// database (--root), so nothing of the machine's package state is used.
func (s *Service) aptCmd(argv ...string) (host.Cmd, error) {
	c := host.Cmd{Argv: argv, Env: []string{"DEBIAN_FRONTEND=noninteractive", "LC_ALL=C.UTF-8"}}
	dir := s.cfg.Root.Dir()
	if dir == "/" {
		return c, nil
	}
	if strings.ContainsAny(dir, "\"\n;{}") {
		return c, fmt.Errorf("apt sandbox: unusable root path %q", dir)
	}
	conf := fmt.Sprintf("Dir \"%s/\";\nDir::State::status \"%s/var/lib/dpkg/status\";\n"+
		"DPkg::Options { \"--root=%s\"; \"--force-bad-path\"; };\n", dir, dir, dir)
	if err := s.cfg.Root.WriteFile(sandboxConf, []byte(conf), 0o644); err != nil {
		return c, err
	}
	c.Env = append(c.Env, "APT_CONFIG="+s.cfg.Root.Path(sandboxConf))
	return c, nil
}

// aptOutput runs a read-only apt command (a query or a simulation) within
// timeout and returns its standard output.
func (s *Service) aptOutput(ctx context.Context, timeout time.Duration, argv ...string) ([]byte, error) {
	c, err := s.aptCmd(argv...)
	if err != nil {
		return nil, err
	}
	c.Timeout = timeout
	res, err := s.cfg.Runner.Run(ctx, c)
	if err != nil {
		return nil, err
	}
	return res.Stdout, nil
}
