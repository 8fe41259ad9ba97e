package acme

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"hostadm/internal/tasks"
)

// Check is one finding of the preflight.
type Check struct {
	Domain  string `json:"domain,omitempty"`
	Check   string `json:"check"`
	Status  string `json:"status"` // ok, warning or error
	Message string `json:"message"`
}

// Preflight says what an order would run into and why, without ordering:
// the configuration, for http-01 that each domain resolves to this node
// and port 80 is free, for dns-01 that the plugin is usable and (in alias
// mode) the CNAME is there, and that CAA records allow the CA.
func (s *Service) Preflight(ctx context.Context) ([]Check, error) {
	n, err := s.NodeConfig(ctx)
	if err != nil {
		return nil, err
	}
	var out []Check
	add := func(domain, check, status, format string, args ...any) {
		out = append(out, Check{Domain: domain, Check: check, Status: status, Message: fmt.Sprintf(format, args...)})
	}
	if len(n.Domains) == 0 {
		add("", "config", "error", "%s", ErrNoDomains.Error())
		return out, nil
	}
	acc, _, accErr := s.LoadAccount(ctx, n.Account)
	if accErr != nil {
		add("", "account", "error", "%v", accErr)
	} else {
		add("", "account", "ok", "account '%s' at %s", n.Account, acc.Directory)
	}
	var caa []string
	if acc != nil {
		if meta, err := s.Meta(ctx, acc.Directory); err == nil {
			caa = stringList(meta["caaIdentities"])
		} else {
			add("", "directory", "error", "%v", err)
		}
	}
	portChecked := false
	for _, d := range n.Domains {
		p, _, err := s.Plugin(ctx, d.Plugin)
		if err != nil {
			add(d.Name, "plugin", "error", "%v", err)
			continue
		}
		if err := checkPlugin(p); err != nil || p.Disable {
			add(d.Name, "plugin", "error", "plugin '%s' cannot be used: %v", p.ID, orDisabled(err, p.Disable))
			continue
		}
		switch p.Type {
		case TypeStandalone:
			out = append(out, s.checkResolvesHere(ctx, d.Name))
			if !portChecked {
				out = append(out, s.checkPortFree())
				portChecked = true
			}
		case TypeDNS:
			add(d.Name, "plugin", "ok", "dns-01 through '%s' (DNS API %s); the TXT record is looked up "+
				"at the zone's authoritative servers before validation", p.ID, p.API)
			if d.Alias != "" {
				out = append(out, s.checkAlias(ctx, d))
			}
		}
		out = append(out, s.checkCAA(ctx, d.Name, caa))
	}
	return out, nil
}

func orDisabled(err error, disabled bool) error {
	if err == nil && disabled {
		return fmt.Errorf("it is disabled")
	}
	return err
}

// preflightOrder runs the preflight, logs it, and fails on errors.
func (s *Service) preflightOrder(ctx context.Context, l *tasks.Log, _ NodeACME, _ map[string]Plugin) error {
	checks, err := s.Preflight(ctx)
	if err != nil {
		return err
	}
	var errs []string
	for _, c := range checks {
		line := fmt.Sprintf("preflight %s %s: %s", c.Check, c.Domain, c.Message)
		switch c.Status {
		case "error":
			errs = append(errs, line)
			l.Printf("ERROR: %s", line)
		case "warning":
			l.Warn("%s", line)
		default:
			l.Printf("%s", line)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("preflight failed: %s", strings.Join(errs, "; "))
	}
	return nil
}

// checkResolvesHere looks the domain up and compares with the node's
// addresses; a mismatch is a warning (port forwarding behind NAT works).
func (s *Service) checkResolvesHere(ctx context.Context, domain string) Check {
	c := Check{Domain: domain, Check: "resolve"}
	addrs := s.lookupAddrs(ctx, domain)
	if len(addrs) == 0 {
		c.Status, c.Message = "error", "the domain does not resolve to any address"
		return c
	}
	local := localAddrs()
	for _, a := range addrs {
		if local[a] {
			c.Status, c.Message = "ok", "resolves to "+a+", an address of this node"
			return c
		}
	}
	c.Status = "warning"
	c.Message = "resolves to " + strings.Join(addrs, ", ") + ", not an address of this node " +
		"(fine only if port 80 there is forwarded here)"
	return c
}

func (s *Service) checkPortFree() Check {
	c := Check{Check: "port", Status: "ok"}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(s.cfg.HTTPPort))
	if err != nil {
		c.Status = "error"
		c.Message = fmt.Sprintf("port %d is in use by another program: %v", s.cfg.HTTPPort, err)
		return c
	}
	ln.Close()
	c.Message = fmt.Sprintf("port %d is free for the standalone listener", s.cfg.HTTPPort)
	return c
}

// checkAlias checks that _acme-challenge.<domain> is a CNAME to the
// alias's challenge name.
func (s *Service) checkAlias(ctx context.Context, d Domain) Check {
	c := Check{Domain: d.Name, Check: "alias"}
	name := "_acme-challenge." + strings.TrimPrefix(d.Name, "*.")
	want := dns.Fqdn("_acme-challenge." + d.Alias)
	r, err := s.query(ctx, name, dns.TypeCNAME)
	if err == nil {
		for _, rr := range r.Answer {
			if cn, ok := rr.(*dns.CNAME); ok && strings.EqualFold(cn.Target, want) {
				c.Status, c.Message = "ok", name+" is a CNAME to "+want
				return c
			}
		}
	}
	c.Status, c.Message = "warning", fmt.Sprintf("%s is no CNAME to %s; the CA will not find the TXT record", name, want)
	return c
}

// checkCAA walks from the domain up to the first name with CAA records
// and checks they allow one of the CA's identities.
func (s *Service) checkCAA(ctx context.Context, domain string, ids []string) Check {
	c := Check{Domain: domain, Check: "caa", Status: "ok", Message: "no CAA records restrict issuance"}
	tag := "issue"
	name := domain
	if strings.HasPrefix(name, "*.") {
		tag, name = "issuewild", name[2:]
	}
	for ; strings.Contains(name, "."); name = name[strings.IndexByte(name, '.')+1:] {
		r, err := s.query(ctx, name, dns.TypeCAA)
		if err != nil {
			c.Status, c.Message = "warning", "CAA lookup failed: "+err.Error()
			return c
		}
		recs := caaValues(r, tag)
		if recs == nil && tag == "issuewild" {
			recs = caaValues(r, "issue")
		}
		if recs == nil {
			continue
		}
		if len(ids) == 0 {
			c.Message = "CAA records at " + name + "; the CA names no CAA identity to compare"
			return c
		}
		for _, v := range recs {
			for _, id := range ids {
				if strings.EqualFold(strings.TrimSpace(strings.Split(v, ";")[0]), id) {
					c.Message = "CAA at " + name + " allows " + id
					return c
				}
			}
		}
		c.Status = "error"
		c.Message = fmt.Sprintf("CAA at %s allows only %s, not the CA (%s)", name,
			strings.Join(recs, ", "), strings.Join(ids, ", "))
		return c
	}
	return c
}

// caaValues returns the values of the tag's records, or nil when there
// are none with that tag.
func caaValues(r *dns.Msg, tag string) []string {
	var out []string
	for _, rr := range r.Answer {
		if caa, ok := rr.(*dns.CAA); ok && caa.Tag == tag {
			out = append(out, caa.Value)
		}
	}
	return out
}

func (s *Service) lookupAddrs(ctx context.Context, name string) []string {
	var out []string
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		r, err := s.query(ctx, name, t)
		if err != nil {
			continue
		}
		for _, rr := range r.Answer {
			switch a := rr.(type) {
			case *dns.A:
				out = append(out, a.A.String())
			case *dns.AAAA:
				out = append(out, a.AAAA.String())
			}
		}
	}
	return out
}

// query asks the configured resolvers, else the system's.
func (s *Service) query(ctx context.Context, name string, t uint16) (*dns.Msg, error) {
	servers := s.cfg.Resolvers
	if len(servers) == 0 {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil {
			return nil, err
		}
		for _, srv := range conf.Servers {
			servers = append(servers, net.JoinHostPort(srv, conf.Port))
		}
	}
	m := new(dns.Msg).SetQuestion(dns.Fqdn(name), t)
	m.RecursionDesired = true
	client := &dns.Client{Timeout: 3 * time.Second}
	var lastErr error
	for _, srv := range servers {
		r, _, err := client.ExchangeContext(ctx, m, srv)
		if err == nil {
			return r, nil
		}
		lastErr = err
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("no DNS server")
	}
	return nil, lastErr
}

func localAddrs() map[string]bool {
	out := map[string]bool{}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			out[n.IP.String()] = true
		}
	}
	return out
}

func stringList(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
