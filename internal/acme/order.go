package acme

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"

	"hostadm/internal/cfs"
	"hostadm/internal/nodecfg"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// renewBefore is how long before expiry a certificate is renewed.
const renewBefore = 30 * 24 * time.Hour

// Domain is one domain of the node's ACME config.
type Domain struct {
	Name   string `json:"domain"`
	Plugin string `json:"plugin"`
	Alias  string `json:"alias,omitempty"`
}

// NodeACME is the node's ACME settings (node config acme, acmedomainN).
type NodeACME struct {
	Account string
	Domains []Domain
}

// ErrNoDomains is Proxmox's error for a node without ACME domains.
var ErrNoDomains = errors.New("ACME domain list in node configuration is missing!")

// NodeConfig reads the node's ACME settings.
func (s *Service) NodeConfig(ctx context.Context) (NodeACME, error) {
	conf, err := s.cfg.NodeCfg.Get(ctx, s.cfg.Node)
	if err != nil {
		return NodeACME{}, err
	}
	out := NodeACME{Account: "default"}
	if v, ok := conf["acme"].(string); ok {
		m, err := schema.ParsePropString(nodecfg.ACMEFormat(), v)
		if err != nil {
			return NodeACME{}, fmt.Errorf("node config acme: %w", err)
		}
		if a, _ := m["account"].(string); a != "" {
			out.Account = a
		}
		d, _ := m["domains"].(string)
		for _, name := range strings.Split(d, ";") {
			if name != "" {
				out.Domains = append(out.Domains, Domain{Name: strings.ToLower(name), Plugin: TypeStandalone})
			}
		}
	}
	for i := 0; i <= nodecfg.MaxACMEDomains; i++ {
		v, ok := conf["acmedomain"+strconv.Itoa(i)].(string)
		if !ok {
			continue
		}
		m, err := schema.ParsePropString(nodecfg.ACMEDomainFormat(), v)
		if err != nil {
			return NodeACME{}, fmt.Errorf("node config acmedomain%d: %w", i, err)
		}
		d := Domain{Plugin: TypeStandalone}
		d.Name, _ = m["domain"].(string)
		d.Name = strings.ToLower(d.Name)
		if p, _ := m["plugin"].(string); p != "" {
			d.Plugin = p
		}
		d.Alias, _ = m["alias"].(string)
		out.Domains = append(out.Domains, d)
	}
	return out, nil
}

// CheckOrder is what the API checks before starting an order task.
func (s *Service) CheckOrder(ctx context.Context, force bool) error {
	n, err := s.NodeConfig(ctx)
	if err != nil {
		return err
	}
	if len(n.Domains) == 0 {
		return ErrNoDomains
	}
	if _, err := s.cfg.Certs.CustomCert(ctx); err == nil && !force {
		return schema.Fail("force", "Custom certificate exists but 'force' is not set.")
	} else if err != nil && !errors.Is(err, cfs.ErrNotFound) {
		return err
	}
	return nil
}

// CheckRenew is what the API checks before starting a renewal task.
func (s *Service) CheckRenew(ctx context.Context, force bool) error {
	cert, err := s.currentCert(ctx)
	if err != nil {
		return err
	}
	n, err := s.NodeConfig(ctx)
	if err != nil {
		return err
	}
	if len(n.Domains) == 0 {
		return ErrNoDomains
	}
	if !force && cert.NotAfter.Sub(s.cfg.Clock()) > renewBefore {
		return schema.Fail("force", "Certificate does not expire within the next 30 days, and 'force' is not set.")
	}
	return nil
}

func (s *Service) currentCert(ctx context.Context) (*x509.Certificate, error) {
	b, err := s.cfg.Certs.CustomCert(ctx)
	if errors.Is(err, cfs.ErrNotFound) {
		return nil, errors.New("No current (custom) certificate found, please order a new certificate!")
	}
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("current custom certificate is not PEM")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// Order places an order for the node's domains, solves each domain's
// challenge with its plugin, and installs the certificate (task
// acmenewcert; also each renewal).
func (s *Service) Order(ctx context.Context, l *tasks.Log) error {
	n, err := s.NodeConfig(ctx)
	if err != nil {
		return err
	}
	if len(n.Domains) == 0 {
		return ErrNoDomains
	}
	l.Printf("Loading ACME account details")
	acc, _, err := s.LoadAccount(ctx, n.Account)
	if err != nil {
		return err
	}
	plugins, err := s.orderPlugins(ctx, n.Domains)
	if err != nil {
		return err
	}
	if err := s.preflightOrder(ctx, l, n, plugins); err != nil {
		return err
	}
	core, err := s.accountCore(acc)
	if err != nil {
		return err
	}
	res := &resolver{s: s, ctx: ctx, core: core, log: l, domains: map[string]Domain{}, plugins: plugins}
	var names []string
	for _, d := range n.Domains {
		res.domains[d.Name] = d
		names = append(names, d.Name)
	}
	l.Printf("Placing ACME order for %s", strings.Join(names, ", "))
	certifier := certificate.NewCertifier(core, res, certificate.CertifierOptions{
		KeyType: certcrypto.KeyType(s.legoKeyType()), Timeout: 60 * time.Second})
	got, err := certifier.Obtain(certificate.ObtainRequest{Domains: names, Bundle: true})
	if err != nil {
		return fmt.Errorf("order failed: %w", err)
	}
	l.Printf("Certificate issued (%s)", got.CertURL)
	if err := s.cfg.Certs.InstallCustom(ctx, got.Certificate, got.PrivateKey); err != nil {
		return fmt.Errorf("install certificate: %w", err)
	}
	l.Printf("Setting pveproxy certificate and key; the daemon serves them to new connections now")
	return nil
}

func (s *Service) legoKeyType() string {
	switch s.cfg.CertKeyType {
	case "rsa4096":
		return string(certcrypto.RSA4096)
	case "ec256":
		return string(certcrypto.EC256)
	}
	return string(certcrypto.RSA2048)
}

// orderPlugins returns the plugins the domains use, refusing unknown and
// disabled ones and DNS plugins hostadm cannot drive.
func (s *Service) orderPlugins(ctx context.Context, domains []Domain) (map[string]Plugin, error) {
	out := map[string]Plugin{}
	for _, d := range domains {
		if _, ok := out[d.Plugin]; ok {
			continue
		}
		p, _, err := s.Plugin(ctx, d.Plugin)
		if err != nil {
			return nil, err
		}
		if p.Disable {
			return nil, fmt.Errorf("plugin '%s' for domain '%s' is disabled", p.ID, d.Name)
		}
		if err := checkPlugin(p); err != nil {
			return nil, fmt.Errorf("plugin '%s': %w", p.ID, err)
		}
		if p.Type == TypeStandalone && strings.HasPrefix(d.Name, "*.") {
			return nil, fmt.Errorf("domain '%s': a wildcard needs a DNS plugin", d.Name)
		}
		out[d.Plugin] = p
	}
	return out, nil
}

// Renew orders a new certificate and then revokes the old one (task
// acmerenew); a failed revocation is only a warning.
func (s *Service) Renew(ctx context.Context, l *tasks.Log) error {
	old, err := s.cfg.Certs.CustomCert(ctx)
	if err != nil {
		return fmt.Errorf("No current (custom) certificate found, please order a new certificate!")
	}
	if err := s.Order(ctx, l); err != nil {
		return err
	}
	l.Printf("Revoking old certificate")
	if err := s.revokeCert(ctx, old); err != nil {
		l.Warn("Revoke request to CA failed: %v", err)
	}
	return nil
}

// Revoke revokes the current certificate at the CA and removes it; the
// node certificate is served again (task acmerevoke).
func (s *Service) Revoke(ctx context.Context, l *tasks.Log) error {
	cert, err := s.cfg.Certs.CustomCert(ctx)
	if err != nil {
		return fmt.Errorf("No current (custom) certificate found!")
	}
	l.Printf("Revoking certificate at the CA")
	if err := s.revokeCert(ctx, cert); err != nil {
		if !strings.Contains(strings.ToLower(err.Error()), "expired") {
			return fmt.Errorf("revoke: %w", err)
		}
		l.Warn("CA says the certificate already expired: %v", err)
	}
	l.Printf("Deleting certificate files")
	if err := s.cfg.Certs.DeleteCustom(ctx); err != nil {
		return err
	}
	l.Printf("The daemon serves the node certificate again")
	return nil
}

func (s *Service) revokeCert(ctx context.Context, certPEM []byte) error {
	n, err := s.NodeConfig(ctx)
	if err != nil {
		return err
	}
	_, _, core, err := s.openAccount(ctx, n.Account)
	if err != nil {
		return err
	}
	return certificate.NewCertifier(core, nil, certificate.CertifierOptions{}).Revoke(certPEM)
}
