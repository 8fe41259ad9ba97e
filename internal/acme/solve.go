package acme

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/challenge/dns01"
	"github.com/go-acme/lego/v4/challenge/http01"

	"hostadm/internal/tasks"
)

// resolver solves an order's authorizations one by one, each with the
// plugin its domain names: lego's own resolver picks one challenge type
// for all domains, Proxmox lets every domain choose.
type resolver struct {
	s       *Service
	ctx     context.Context
	core    *api.Core
	log     *tasks.Log
	domains map[string]Domain // by domain name, lower case, "*." kept
	plugins map[string]Plugin
}

// Solve is called by lego's certifier with the order's pending
// authorizations.
func (r *resolver) Solve(authzs []acme.Authorization) error {
	for _, authz := range authzs {
		name := challenge.GetTargetedDomain(authz)
		if authz.Status == acme.StatusValid {
			r.log.Printf("[%s] already validated", name)
			continue
		}
		if err := r.solveOne(authz, name); err != nil {
			return fmt.Errorf("[%s] %w", name, err)
		}
	}
	return nil
}

func (r *resolver) solveOne(authz acme.Authorization, name string) error {
	d, ok := r.domains[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("no plugin configured for this domain")
	}
	p := r.plugins[d.Plugin]
	switch p.Type {
	case TypeStandalone:
		r.log.Printf("[%s] validating with http-01 (standalone listener on port %d)", name, r.s.cfg.HTTPPort)
		srv := http01.NewProviderServer("", strconv.Itoa(r.s.cfg.HTTPPort))
		return http01.NewChallenge(r.core, r.validate, srv).Solve(authz)
	case TypeDNS:
		prov, err := r.s.dnsProvider(p, d, r.log)
		if err != nil {
			return err
		}
		ch := dns01.NewChallenge(r.core, r.validate, prov, r.s.dnsOptions()...)
		if err := ch.PreSolve(authz); err != nil {
			return err
		}
		defer func() {
			if err := ch.CleanUp(authz); err != nil {
				r.log.Warn("[%s] removing the TXT record failed: %v", name, err)
			}
		}()
		return ch.Solve(authz)
	}
	return fmt.Errorf("plugin '%s' has unknown type '%s'", p.ID, p.Type)
}

// validate asks the CA to check the challenge and polls the
// authorization until it is valid or invalid (at most two minutes).
func (r *resolver) validate(core *api.Core, domain string, chlg acme.Challenge) error {
	r.log.Printf("[%s] triggering validation of %s", domain, chlg.Type)
	ch, err := core.Challenges.New(chlg.URL)
	if err != nil {
		return fmt.Errorf("initiate challenge: %w", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for wait := 500 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		authz, err := core.Authorizations.Get(ch.AuthorizationURL)
		if err != nil {
			return fmt.Errorf("poll authorization: %w", err)
		}
		switch authz.Status {
		case acme.StatusValid:
			r.log.Printf("[%s] status: valid", domain)
			return nil
		case acme.StatusInvalid:
			return fmt.Errorf("validation failed: %s", problem(authz))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("validation timed out (status %s)", authz.Status)
		}
		r.log.Printf("[%s] status: %s", domain, authz.Status)
		select {
		case <-r.ctx.Done():
			return r.ctx.Err()
		case <-time.After(wait):
		}
	}
}

func problem(authz acme.Authorization) string {
	for _, c := range authz.Challenges {
		if c.Error != nil {
			return c.Error.Error()
		}
	}
	return "no reason given"
}

// dnsOptions points lego's propagation check at the configured resolvers
// (tests, split DNS); by default it asks the zone's authoritative servers.
func (s *Service) dnsOptions() []dns01.ChallengeOption {
	if len(s.cfg.Resolvers) == 0 {
		return nil
	}
	return []dns01.ChallengeOption{
		dns01.AddRecursiveNameservers(s.cfg.Resolvers),
		dns01.DisableAuthoritativeNssPropagationRequirement(),
	}
}

// dnsProvider builds the provider of a DNS plugin for domain d, with
// alias mode and logging around lego's provider.
func (s *Service) dnsProvider(p Plugin, d Domain, l *tasks.Log) (challenge.Provider, error) {
	api, ok := LookupDNSAPI(p.API)
	if !ok {
		return nil, fmt.Errorf("DNS API '%s' of plugin '%s' is not supported by hostadm", p.API, p.ID)
	}
	inner, err := api.Provider(p.Data)
	if err != nil {
		return nil, err
	}
	return &dnsSolver{inner: inner, alias: d.Alias, delay: time.Duration(p.Delay) * time.Second, log: l}, nil
}

// dnsSolver puts the TXT record at the alias when one is set (the
// domain's _acme-challenge name is a CNAME to the alias's, as Proxmox's
// alias mode expects) and bounds the propagation wait.
type dnsSolver struct {
	inner challenge.Provider
	alias string
	delay time.Duration
	log   *tasks.Log
}

func (d *dnsSolver) target(domain string) string {
	if d.alias != "" {
		return d.alias
	}
	return domain
}

func (d *dnsSolver) Present(domain, token, keyAuth string) error {
	t := d.target(domain)
	d.log.Printf("[%s] adding TXT record _acme-challenge.%s", domain, t)
	return d.inner.Present(t, token, keyAuth)
}

func (d *dnsSolver) CleanUp(domain, token, keyAuth string) error {
	t := d.target(domain)
	d.log.Printf("[%s] removing TXT record _acme-challenge.%s", domain, t)
	return d.inner.CleanUp(t, token, keyAuth)
}

// Timeout makes the propagation check poll every second: the record is
// looked up instead of sleeping a fixed validation-delay, which only
// bounds the wait (at least two minutes).
func (d *dnsSolver) Timeout() (time.Duration, time.Duration) {
	return max(d.delay, 2*time.Minute), time.Second
}
