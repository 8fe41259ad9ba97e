package certs

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"hostadm/internal/cfs"
	"hostadm/internal/schema"
)

// Custom is a request to install a custom certificate.
type Custom struct {
	Chain []byte // PEM certificates, the server's first
	Key   []byte // PEM private key; nil keeps the existing custom key
	// Force allows replacing an existing custom certificate.
	Force bool
}

// SetCustom checks c and installs it as pveproxy-ssl.pem and .key. Bad
// input is a schema.ParamError and changes nothing; the served pair
// follows through the Reloader.
func (s *Service) SetCustom(ctx context.Context, c Custom) (Info, error) {
	unlock, err := s.cfg.Store.Lock(ctx, "pve-certs", lockTimeout)
	if err != nil {
		return Info{}, fmt.Errorf("custom certificate: %w", err)
	}
	defer unlock()
	certE, certErr := s.get(ctx, CustomCertPath(s.cfg.Node))
	keyE, keyErr := s.get(ctx, CustomKeyPath(s.cfg.Node))
	if err := errors.Join(certErr, keyErr); err != nil {
		return Info{}, fmt.Errorf("custom certificate: %w", err)
	}
	key := c.Key
	if len(key) == 0 {
		if keyE.Version == 0 {
			return Info{}, schema.Fail("key", "Attempted to upload custom certificate without (existing) key.")
		}
		key = keyE.Data
	}
	chain := trimToPEM(c.Chain)
	if err := s.CheckPair(chain, key); err != nil {
		return Info{}, err
	}
	if err := s.checkNames(chain, c.Force); err != nil {
		return Info{}, err
	}
	if certE.Version != 0 && !c.Force {
		return Info{}, schema.Fail("force", "Custom certificate file exists but force flag is not set.")
	}
	if err := s.writePair(ctx, chain, key, certE.Version, keyE.Version); err != nil {
		return Info{}, err
	}
	return InfoOf("pveproxy-ssl.pem", chain)
}

// get reads a store entry; a missing one is the zero entry (version 0).
func (s *Service) get(ctx context.Context, p string) (cfs.Entry, error) {
	e, err := s.cfg.Store.Get(ctx, p)
	if errors.Is(err, cfs.ErrNotFound) {
		return cfs.Entry{}, nil
	}
	return e, err
}

// InstallCustom writes a pair already checked by the caller (an ACME order)
// over whatever custom pair exists.
func (s *Service) InstallCustom(ctx context.Context, chain, key []byte) error {
	if err := s.CheckPair(chain, key); err != nil {
		return err
	}
	unlock, err := s.cfg.Store.Lock(ctx, "pve-certs", lockTimeout)
	if err != nil {
		return fmt.Errorf("install certificate: %w", err)
	}
	defer unlock()
	certE, certErr := s.get(ctx, CustomCertPath(s.cfg.Node))
	keyE, keyErr := s.get(ctx, CustomKeyPath(s.cfg.Node))
	if err := errors.Join(certErr, keyErr); err != nil {
		return fmt.Errorf("install certificate: %w", err)
	}
	return s.writePair(ctx, chain, key, certE.Version, keyE.Version)
}

// writePair writes key then chain, each only over the version seen; when
// the chain cannot be written the old key is put back, so the old pair
// stays usable.
func (s *Service) writePair(ctx context.Context, chain, key []byte, certVer, keyVer int64) error {
	old, err := s.get(ctx, CustomKeyPath(s.cfg.Node))
	if err != nil {
		return fmt.Errorf("write custom key: %w", err)
	}
	newKeyVer, err := s.cfg.Store.Put(ctx, CustomKeyPath(s.cfg.Node), key, keyVer)
	if err != nil {
		return fmt.Errorf("write custom key: %w", err)
	}
	if _, err := s.cfg.Store.Put(ctx, CustomCertPath(s.cfg.Node), chain, certVer); err != nil {
		if old.Version != 0 {
			_, _ = s.cfg.Store.Put(ctx, CustomKeyPath(s.cfg.Node), old.Data, newKeyVer)
		} else {
			_ = s.cfg.Store.Delete(ctx, CustomKeyPath(s.cfg.Node), newKeyVer)
		}
		return fmt.Errorf("write custom certificate: %w", err)
	}
	s.cfg.Logger.Info("installed custom certificate", "node", s.cfg.Node, "fingerprint", Fingerprint(chain))
	return nil
}

// DeleteCustom removes the custom pair; the node certificate is served
// again. A missing pair is no error.
func (s *Service) DeleteCustom(ctx context.Context) error {
	unlock, err := s.cfg.Store.Lock(ctx, "pve-certs", lockTimeout)
	if err != nil {
		return fmt.Errorf("delete custom certificate: %w", err)
	}
	defer unlock()
	// The certificate goes first: without it the key alone is never used.
	for _, p := range []string{CustomCertPath(s.cfg.Node), CustomKeyPath(s.cfg.Node)} {
		if err := s.cfg.Store.Delete(ctx, p, cfs.AnyVersion); err != nil && !errors.Is(err, cfs.ErrNotFound) {
			return fmt.Errorf("delete %s: %w", p, err)
		}
	}
	return nil
}

// CustomCert returns the custom certificate chain, or cfs.ErrNotFound.
func (s *Service) CustomCert(ctx context.Context) ([]byte, error) {
	e, err := s.cfg.Store.Get(ctx, CustomCertPath(s.cfg.Node))
	if err != nil {
		return nil, err
	}
	return e.Data, nil
}

// CheckPair refuses a chain that is not PEM certificates, whose first
// certificate does not match key, or is expired or not yet valid. Errors
// are schema.ParamErrors on "certificates" or "key".
func (s *Service) CheckPair(chain, key []byte) error {
	certs, err := parseChain(chain)
	if err != nil {
		return schema.Fail("certificates", err.Error())
	}
	k, err := parseKey(key)
	if err != nil {
		return schema.Fail("key", "cannot read the private key: "+err.Error())
	}
	leaf := certs[0]
	if !publicKeysEqual(leaf.PublicKey, k.Public()) {
		return schema.Fail("key", "the private key does not match the certificate")
	}
	now := s.cfg.Clock()
	if now.Before(leaf.NotBefore) {
		return schema.Fail("certificates", fmt.Sprintf("certificate is not valid before %s",
			leaf.NotBefore.UTC().Format("2006-01-02 15:04:05 UTC")))
	}
	if now.After(leaf.NotAfter) {
		return schema.Fail("certificates", fmt.Sprintf("certificate expired at %s",
			leaf.NotAfter.UTC().Format("2006-01-02 15:04:05 UTC")))
	}
	return nil
}

// checkNames refuses an uploaded certificate that does not name this node
// (its host name, its node name, or a name whose first label is the node
// name), unless force is set: a name only DNS ties to the node (an alias)
// is the admin's call.
func (s *Service) checkNames(chain []byte, force bool) error {
	leaf, err := parseCert(chain)
	if err != nil || force || s.namesNode(leaf) {
		return nil
	}
	return schema.Fail("certificates", fmt.Sprintf("certificate names %s but not this node (%s); "+
		"set force to install it anyway", strings.Join(leaf.DNSNames, ", "), s.cfg.Hostname))
}

func (s *Service) namesNode(c *x509.Certificate) bool {
	for _, n := range []string{s.cfg.Hostname, s.cfg.Node} {
		if c.VerifyHostname(n) == nil {
			return true
		}
	}
	for _, d := range c.DNSNames {
		first, _, _ := strings.Cut(d, ".")
		if strings.EqualFold(first, s.cfg.Node) {
			return true
		}
	}
	return false
}

// parseChain reads every CERTIFICATE block; anything else is an error.
func parseChain(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("unexpected PEM block %q in certificate chain", b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cannot parse certificate %d of the chain: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return out, nil
}

// trimToPEM drops text before the first PEM block, as Proxmox does.
func trimToPEM(b []byte) []byte {
	if i := strings.Index(string(b), "-----BEGIN"); i > 0 {
		return b[i:]
	}
	return b
}
