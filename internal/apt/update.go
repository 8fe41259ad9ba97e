package apt

import (
	"context"
	"fmt"
	"io"
	"time"
)

// proxyFile is the apt configuration Proxmox writes before every update.
const proxyFile = "/etc/apt/apt.conf.d/76pveproxy"

// UpdateOptions are the parameters of POST apt/update.
type UpdateOptions struct {
	Notify bool
	Quiet  bool
	// MailPerVersion sends one mail per new package version (the daily
	// check) instead of one mail listing them all (POST apt/update with
	// notify, as Proxmox does).
	MailPerVersion bool
}

// UpdateDatabase is the body of the aptupdate task: write the proxy file
// (http_proxy of datacenter.cfg in the cluster store), run apt-get update,
// refresh the upgradable cache, and notify about new versions when asked.
// Output goes to log (the task log).
func (s *Service) UpdateDatabase(ctx context.Context, log io.Writer, o UpdateOptions) error {
	if err := s.writeProxyConf(ctx, log); err != nil {
		return err
	}
	c, err := s.aptCmd("apt-get", "update")
	if err != nil {
		return err
	}
	c.Timeout = 30 * time.Minute
	if o.Quiet {
		c.Argv = append(c.Argv[:1], "-q", "update")
	} else {
		fmt.Fprintln(log, "starting apt-get update")
		c.Output = log
	}
	res, err := s.cfg.Runner.Run(ctx, c)
	if o.Quiet && len(res.Stderr) > 0 {
		log.Write(res.Stderr)
	}
	if err != nil {
		return err
	}
	list, err := s.refreshCache(ctx)
	if err != nil {
		return err
	}
	if o.Notify {
		return s.notify(ctx, log, list, o.MailPerVersion)
	}
	return nil
}

// writeProxyConf writes apt's proxy setting as Proxmox does.
func (s *Service) writeProxyConf(ctx context.Context, log io.Writer) error {
	dc, err := s.datacenter(ctx)
	if err != nil {
		return err
	}
	conf := "// no proxy configured\n"
	proxy, err := httpProxy(dc)
	if err != nil {
		fmt.Fprintln(log, err)
	}
	if proxy != "" {
		conf = fmt.Sprintf("Acquire::http::Proxy \"%s\";\n", proxy)
	}
	return s.cfg.Root.WriteFileContext(ctx, proxyFile, []byte(conf), 0o644)
}
