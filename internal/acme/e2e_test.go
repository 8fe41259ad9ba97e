package acme_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"hostadm/internal/acme/acmetest"
	"hostadm/internal/certs/certtest"
	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
)

const node = daemontest.Node

// acmeEnv is a daemon wired to a Pebble that resolves names through a
// BIND serving acmetest.Zone.
type acmeEnv struct {
	*daemontest.Env
	bind   *acmetest.Bind
	pebble *acmetest.Pebble
	root   daemontest.Auth
}

func startACME(t *testing.T, validity int, tune ...func(*daemon.Config)) *acmeEnv {
	t.Helper()
	bind := acmetest.StartBind(t)
	pebble := acmetest.StartPebble(t, acmetest.PebbleOptions{DNS: bind.Addr, Validity: validity})
	env := daemontest.Start(t, daemontest.Options{Tune: func(c *daemon.Config) {
		c.ACMERoots, c.ACMEHTTPPort, c.ACMEResolvers = pebble.Roots, pebble.HTTPPort, []string{bind.Addr}
		for _, f := range tune {
			f(c)
		}
	}})
	return &acmeEnv{Env: env, bind: bind, pebble: pebble, root: env.RootAuth()}
}

// task waits for the task whose UPID the response holds and returns its
// exit status and log.
func (e *acmeEnv) task(t *testing.T, r *daemontest.Response) (string, string) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("start task: %d %s", r.Status, r.Body)
	}
	upid, _ := r.Data.(string)
	path := "/nodes/" + node + "/tasks/" + url.PathEscape(upid)
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		st := e.MustOK(e.root, "GET", path+"/status", nil).Data.(map[string]any)
		if st["status"] == "stopped" {
			lines := e.MustOK(e.root, "GET", path+"/log", url.Values{"limit": {"1000"}}).Data.([]any)
			var b strings.Builder
			for _, l := range lines {
				fmt.Fprintln(&b, l.(map[string]any)["t"])
			}
			return fmt.Sprint(st["exitstatus"]), b.String()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("task %s did not finish", upid)
	return "", ""
}

func (e *acmeEnv) mustTask(t *testing.T, r *daemontest.Response) string {
	t.Helper()
	st, log := e.task(t, r)
	if st != "OK" && !strings.HasPrefix(st, "WARNINGS") {
		t.Fatalf("task ended %q:\n%s", st, log)
	}
	return log
}

func (e *acmeEnv) register(t *testing.T) {
	t.Helper()
	meta := e.MustOK(e.root, "GET", "/cluster/acme/meta", url.Values{"directory": {e.pebble.Directory}}).Data.(map[string]any)
	tos, _ := meta["termsOfService"].(string)
	log := e.mustTask(t, e.Do(e.root, "POST", "/cluster/acme/account", url.Values{
		"contact": {"admin@example.test"}, "directory": {e.pebble.Directory}, "tos_url": {tos}}))
	if !strings.Contains(log, "Registration successful, account URL: '") {
		t.Fatalf("register log:\n%s", log)
	}
}

// customInfo returns the info entry of pveproxy-ssl.pem, or nil.
func (e *acmeEnv) customInfo(t *testing.T) map[string]any {
	t.Helper()
	for _, it := range e.MustOK(e.root, "GET", "/nodes/"+node+"/certificates/info", nil).Data.([]any) {
		if m := it.(map[string]any); m["filename"] == "pveproxy-ssl.pem" {
			return m
		}
	}
	return nil
}

// servedMatchesInfo checks over a TLS handshake that the daemon serves
// the custom certificate GET info reports, and that it names want.
func (e *acmeEnv) servedMatchesInfo(t *testing.T, want string) string {
	t.Helper()
	info := e.customInfo(t)
	if info == nil {
		t.Fatal("no custom certificate in info")
	}
	fp := info["fingerprint"].(string)
	certtest.WaitServed(t, e.URL, fp)
	c, err := certtest.Served(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(c.DNSNames, want) {
		t.Fatalf("served certificate names %v, want %s", c.DNSNames, want)
	}
	return fp
}

// TestACMEHTTP01 drives a whole certificate life through the API against
// Pebble: account, refused bad input, preflight, order with http-01 on the
// standalone listener, renewal by hand and by the renewal check, a failed
// renewal's warning and metric, revocation and deactivation.
func TestACMEHTTP01(t *testing.T) {
	e := startACME(t, 20*24*3600) // 20 days: always due for renewal
	e.register(t)
	accounts := e.MustOK(e.root, "GET", "/cluster/acme/account", nil).Data.([]any)
	if len(accounts) != 1 || accounts[0].(map[string]any)["name"] != "default" {
		t.Fatalf("accounts %v", accounts)
	}
	acc := e.MustOK(e.root, "GET", "/cluster/acme/account/default", nil).Data.(map[string]any)
	if acc["directory"] != e.pebble.Directory || !strings.HasPrefix(acc["location"].(string), "https://") {
		t.Fatalf("account %v", acc)
	}
	e.mustTask(t, e.Do(e.root, "PUT", "/cluster/acme/account/default", url.Values{"contact": {"new@example.test"}}))
	acc = e.MustOK(e.root, "GET", "/cluster/acme/account/default", nil).Data.(map[string]any)
	if c := fmt.Sprint(acc["account"].(map[string]any)["contact"]); c != "[mailto:new@example.test]" {
		t.Fatalf("contact after update: %s", c)
	}
	r := e.Do(e.root, "POST", "/nodes/"+node+"/certificates/acme/certificate", nil)
	if r.Status != 500 || !strings.Contains(r.Message, "ACME domain list in node configuration is missing!") {
		t.Fatalf("order without domains: %d %s", r.Status, r.Body)
	}
	badInput(t, e)

	domain := "web." + acmetest.Zone
	e.MustOK(e.root, "PUT", "/nodes/"+node+"/config", url.Values{"acmedomain0": {domain}})
	checks := e.MustOK(e.root, "GET", "/nodes/"+node+"/certificates/acme/preflight", nil).Data.([]any)
	for _, c := range checks {
		if m := c.(map[string]any); m["status"] != "ok" {
			t.Errorf("preflight %v", m)
		}
	}
	log := e.mustTask(t, e.Do(e.root, "POST", "/nodes/"+node+"/certificates/acme/certificate", nil))
	if !strings.Contains(log, "validating with http-01") || !strings.Contains(log, "status: valid") {
		t.Errorf("order log:\n%s", log)
	}
	first := e.servedMatchesInfo(t, domain)

	e.mustTask(t, e.Do(e.root, "PUT", "/nodes/"+node+"/certificates/acme/certificate", nil))
	second := e.servedMatchesInfo(t, domain)
	if second == first {
		t.Fatal("renewal kept the old certificate")
	}
	svc := e.Server.Node().Services
	if err := svc.ACME.RenewIfDue(context.Background(), svc.Tasks); err != nil {
		t.Fatalf("renewal check: %v", err)
	}
	if third := e.servedMatchesInfo(t, domain); third == second {
		t.Fatal("renewal check kept the old certificate")
	}
	failedRenewal(t, e)

	e.mustTask(t, e.Do(e.root, "DELETE", "/nodes/"+node+"/certificates/acme/certificate", nil))
	if e.customInfo(t) != nil {
		t.Fatal("custom certificate left after revoke")
	}
	nodeInfo := e.MustOK(e.root, "GET", "/nodes/"+node+"/certificates/info", nil).Data.([]any)[1].(map[string]any)
	certtest.WaitServed(t, e.URL, nodeInfo["fingerprint"].(string))

	e.mustTask(t, e.Do(e.root, "DELETE", "/cluster/acme/account/default", nil))
	if l := e.MustOK(e.root, "GET", "/cluster/acme/account", nil).Data.([]any); len(l) != 0 {
		t.Fatalf("accounts after deactivate: %v", l)
	}
}

// badInput: each refused with a clear message and nothing stored.
func badInput(t *testing.T, e *acmeEnv) {
	t.Helper()
	data := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name, param, msg string
		params           url.Values
	}{
		{"unknown api", "api", "not supported by hostadm", url.Values{"id": {"xx"}, "type": {"dns"}, "api": {"acmedns"}}},
		{"missing keys", "data", "CF_Token", url.Values{"id": {"xx"}, "type": {"dns"}, "api": {"cf"}, "data": {data("CF_Email=a@b.c\n")}}},
		{"no api", "api", "", url.Values{"id": {"xx"}, "type": {"dns"}}},
		{"bad base64", "data", "base64", url.Values{"id": {"xx"}, "type": {"dns"}, "api": {"cf"}, "data": {"%%%"}}},
	}
	for _, c := range cases {
		r := e.Do(e.root, "POST", "/cluster/acme/plugins", c.params)
		if r.Status != 400 || !strings.Contains(r.Errors[c.param], c.msg) {
			t.Errorf("%s: %d %v %s", c.name, r.Status, r.Errors, r.Body)
		}
	}
	if l := e.MustOK(e.root, "GET", "/cluster/acme/plugins", nil).Data.([]any); len(l) != 1 {
		t.Errorf("plugins after refused input: %v", l)
	}
	r := e.Do(e.root, "PUT", "/nodes/"+node+"/config", url.Values{
		"acmedomain0": {"twice.example.test"}, "acmedomain1": {"twice.example.test"}})
	if r.Status == 200 || !strings.Contains(r.Message+fmt.Sprint(r.Errors), "duplicate domain") {
		t.Errorf("domain used twice: %d %s", r.Status, r.Body)
	}
	r = e.Do(e.root, "POST", "/cluster/acme/account", url.Values{"contact": {"a@example.test"}, "directory": {e.pebble.Directory}})
	if r.Status != 400 || !strings.Contains(r.Errors["name"], "already exists") {
		t.Errorf("second default account: %d %s", r.Status, r.Body)
	}
}

// failedRenewal points the domain at a name nobody serves: the renewal
// task fails, GET info warns, the metric says so; then it recovers.
func failedRenewal(t *testing.T, e *acmeEnv) {
	t.Helper()
	svc := e.Server.Node().Services
	e.MustOK(e.root, "PUT", "/nodes/"+node+"/config", url.Values{"acmedomain0": {"web.nowhere.invalid"}})
	if err := svc.ACME.RenewIfDue(context.Background(), svc.Tasks); err == nil {
		t.Fatal("renewal for an unresolvable domain succeeded")
	}
	info := e.customInfo(t)
	if w, _ := info["warning"].(string); !strings.Contains(w, "automatic ACME renewal failed") {
		t.Errorf("info has no warning: %v", info)
	}
	if v := gauge(t, e, "hostadm_acme_renewal_failing", ""); v != 1 {
		t.Errorf("hostadm_acme_renewal_failing = %v", v)
	}
	if v := gauge(t, e, "hostadm_certificate_expiry_seconds", "pveproxy-ssl.pem"); v < 19*86400 || v > 21*86400 {
		t.Errorf("expiry seconds %v, want about 20 days", v)
	}
	e.MustOK(e.root, "PUT", "/nodes/"+node+"/config", url.Values{"acmedomain0": {"web." + acmetest.Zone}})
}

// gauge reads a gauge from the daemon's registry (label filename if set).
func gauge(t *testing.T, e *acmeEnv, name, filename string) float64 {
	t.Helper()
	fams, err := e.Server.Node().Services.Metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if filename == "" || len(m.GetLabel()) > 0 && m.GetLabel()[0].GetValue() == filename {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no metric %s{%s}", name, filename)
	return 0
}

// TestRenewalLoop: with a certificate that is due (20 days left) the
// daemon's own renewal loop renews it in a task of root@pam and the new
// one is served, without any call.
func TestRenewalLoop(t *testing.T) {
	e := startACME(t, 20*24*3600, func(c *daemon.Config) { c.ACMERenewEvery = time.Second })
	e.register(t)
	domain := "loop." + acmetest.Zone
	e.MustOK(e.root, "PUT", "/nodes/"+node+"/config", url.Values{"acmedomain0": {domain}})
	e.mustTask(t, e.Do(e.root, "POST", "/nodes/"+node+"/certificates/acme/certificate", nil))
	first := e.servedMatchesInfo(t, domain)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if info := e.customInfo(t); info != nil && info["fingerprint"] != first {
			e.servedMatchesInfo(t, domain)
			tasks := e.MustOK(e.root, "GET", "/nodes/"+node+"/tasks", url.Values{"typefilter": {"acmerenew"}}).Data.([]any)
			if len(tasks) == 0 || tasks[0].(map[string]any)["user"] != "root@pam" {
				t.Fatalf("no acmerenew task of root@pam: %v", tasks)
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the renewal loop did not renew the due certificate")
}
