package nodecfg

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"hostadm/internal/cfs"
	"hostadm/internal/nodecfg/nodeconf"
	"hostadm/internal/schema"
)

// MaxACMEDomains is the highest N of the acmedomainN keys (0..5).
const MaxACMEDomains = 5

// WakeOnLANFormat is the wakeonlan property string.
func WakeOnLANFormat() schema.Props {
	return schema.Props{
		"mac": schema.Str("MAC address for wake on LAN").Fmt("mac-addr").DefKey(),
		"bind-interface": schema.Str("Bind to this interface when sending wake on LAN packet").
			Fmt("pve-iface").Opt(),
		"broadcast-address": schema.Str("IPv4 broadcast address to use when sending wake on LAN packet").
			Fmt("ipv4").Opt(),
	}
}

// ACMEFormat is the acme property string.
func ACMEFormat() schema.Props {
	return schema.Props{
		"account": schema.Str("ACME account config file name.").Fmt("pve-configid").Def("default"),
		"domains": schema.Str("List of domains for this node's ACME certificate").
			Fmt("pve-acme-domain-list").Opt(),
	}
}

// ACMEDomainFormat is the acmedomainN property string.
func ACMEDomainFormat() schema.Props {
	return schema.Props{
		"domain": schema.Str("domain for this node's ACME certificate").Fmt("pve-acme-domain").DefKey(),
		"plugin": schema.Str("The ACME plugin ID").Fmt("pve-configid").Def("standalone"),
		"alias":  schema.Str("Alias for the Domain to verify ACME Challenge over DNS").Fmt("pve-acme-alias").Opt(),
	}
}

// Props are the node config's settable keys with Proxmox's schemas.
func Props() schema.Props {
	p := schema.Props{
		"acme": schema.Str("Node specific ACME settings.").PropFmt(ACMEFormat()).Opt(),
		"ballooning-target": schema.Int("RAM usage target for ballooning (in percent of total memory)").
			Min(0).Max(100).Def(80),
		"description": schema.Str("Description for the Node. Shown in the web-interface node notes panel. " +
			"This is saved as comment inside the configuration file.").MaxLen(64 * 1024).Opt(),
		"startall-onboot-delay": schema.Int("Initial delay in seconds, before starting all the Virtual Guests " +
			"with on-boot enabled.").Min(0).Max(300).Def(0),
		"wakeonlan": schema.Str("Node specific wake on LAN settings.").PropFmt(WakeOnLANFormat()).Opt(),
	}
	for i := 0; i <= MaxACMEDomains; i++ {
		p["acmedomain"+strconv.Itoa(i)] = schema.Str("ACME domain and validation plugin").
			PropFmt(ACMEDomainFormat()).Opt()
	}
	return p
}

// checkValue validates one raw value against its schema and returns the
// Proxmox message on failure.
func checkValue(p *schema.Schema, v string) (any, string) {
	out, err := schema.Obj(schema.Props{"v": p}).ValidateParams(map[string]any{"v": v})
	var pe schema.ParamError
	if errors.As(err, &pe) {
		return nil, pe["v"]
	}
	if err != nil {
		return nil, err.Error()
	}
	return out["v"], ""
}

// verify is Proxmox's verify_conf: ACME domains are unique (compared in
// lower case) across acme and acmedomain0..5, and a plugin other than
// standalone must exist in priv/acme/plugins.cfg.
func (s *Service) verify(ctx context.Context, c *nodeconf.Config) error {
	seen := map[string]string{} // domain -> config key
	if v, ok := c.Values["acme"]; ok {
		acme, err := schema.ParsePropString(ACMEFormat(), v)
		if err != nil {
			return err
		}
		d, _ := acme["domains"].(string)
		for _, dom := range strings.Split(d, ";") {
			if dom == "" {
				continue
			}
			dom = strings.ToLower(dom)
			if _, dup := seen[dom]; dup {
				return fmt.Errorf("duplicate domain '%s' in ACME config properties", dom)
			}
			seen[dom] = "acme"
		}
	}
	var plugins map[string]bool
	for i := 0; i <= MaxACMEDomains; i++ {
		key := "acmedomain" + strconv.Itoa(i)
		v, ok := c.Values[key]
		if !ok {
			continue
		}
		rec, err := schema.ParsePropString(ACMEDomainFormat(), v)
		if err != nil {
			return err
		}
		dom := strings.ToLower(rec["domain"].(string))
		if other, dup := seen[dom]; dup {
			return fmt.Errorf("duplicate domain '%s' in ACME config properties '%s' and '%s'", dom, key, other)
		}
		seen[dom] = key
		plugin, _ := rec["plugin"].(string)
		if plugin == "" || plugin == "standalone" {
			continue
		}
		if plugins == nil {
			if plugins, err = s.acmePlugins(ctx); err != nil {
				return err
			}
		}
		if !plugins[plugin] {
			return fmt.Errorf("plugin '%s' for domain '%s' not found!", plugin, dom)
		}
	}
	return nil
}

// acmePlugins lists the plugin ids of priv/acme/plugins.cfg (section
// headers "TYPE: ID"); a missing file has none.
func (s *Service) acmePlugins(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{"standalone": true}
	e, err := s.cfg.Store.Get(ctx, "priv/acme/plugins.cfg")
	if errors.Is(err, cfs.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ACME plugins: %w", err)
	}
	for _, line := range strings.Split(string(e.Data), "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' {
			continue
		}
		if _, id, ok := strings.Cut(line, ":"); ok {
			out[strings.TrimSpace(id)] = true
		}
	}
	return out, nil
}
