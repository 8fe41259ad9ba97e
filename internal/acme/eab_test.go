package acme_test

import (
	"net/url"
	"strings"
	"testing"

	"hostadm/internal/acme/acmetest"
	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
)

// TestRegisterEAB registers with external account binding at a Pebble
// that requires it: without the binding the CA refuses, with a wrong key
// too, with the right one the account is created.
func TestRegisterEAB(t *testing.T) {
	const kid, key = "kid-1", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"
	bind := acmetest.StartBind(t)
	pebble := acmetest.StartPebble(t, acmetest.PebbleOptions{DNS: bind.Addr, EAB: map[string]string{kid: key}})
	env := daemontest.Start(t, daemontest.Options{Tune: func(c *daemon.Config) { c.ACMERoots = pebble.Roots }})
	e := &acmeEnv{Env: env, bind: bind, pebble: pebble, root: env.RootAuth()}
	meta := e.MustOK(e.root, "GET", "/cluster/acme/meta", url.Values{"directory": {pebble.Directory}}).Data.(map[string]any)
	if meta["externalAccountRequired"] != true {
		t.Fatalf("meta %v", meta)
	}
	base := url.Values{"contact": {"eab@example.test"}, "directory": {pebble.Directory}, "tos_url": {"x"}}
	for _, c := range []struct {
		name   string
		params url.Values
		ok     bool
	}{
		{"without binding", url.Values{}, false},
		{"wrong key", url.Values{"eab-kid": {kid}, "eab-hmac-key": {"d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5"}}, false},
		{"right key", url.Values{"eab-kid": {kid}, "eab-hmac-key": {key}}, true},
	} {
		p := url.Values{}
		for k, v := range base {
			p[k] = v
		}
		for k, v := range c.params {
			p[k] = v
		}
		st, log := e.task(t, e.Do(e.root, "POST", "/cluster/acme/account", p))
		if (st == "OK") != c.ok {
			t.Fatalf("%s: task %q\n%s", c.name, st, log)
		}
		names := e.MustOK(e.root, "GET", "/cluster/acme/account", nil).Data.([]any)
		if (len(names) == 1) != c.ok {
			t.Fatalf("%s: accounts %v", c.name, names)
		}
		if !c.ok && !strings.Contains(log, "registration failed") {
			t.Errorf("%s: log\n%s", c.name, log)
		}
	}
	r := e.Do(e.root, "POST", "/cluster/acme/account", url.Values{"contact": {"x@example.test"}, "name": {"other"}, "eab-kid": {kid}})
	if r.Status != 400 {
		t.Errorf("eab-kid without eab-hmac-key: %d %s", r.Status, r.Body)
	}
}
