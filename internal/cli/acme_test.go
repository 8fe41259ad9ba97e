package cli_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hostadm/internal/acme/acmetest"
	"hostadm/internal/certs/certtest"
	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
)

// TestPvenodeACME runs `pvenode acme ...` against a daemon wired to Pebble
// and BIND: account and plugin commands in-process, then an order and a
// revocation over HTTPS with an API token, following the task logs.
func TestPvenodeACME(t *testing.T) {
	bind := acmetest.StartBind(t)
	pebble := acmetest.StartPebble(t, acmetest.PebbleOptions{DNS: bind.Addr})
	env := daemontest.Start(t, daemontest.Options{Tune: func(c *daemon.Config) {
		c.ACMERoots, c.ACMEHTTPPort, c.ACMEResolvers = pebble.Roots, pebble.HTTPPort, []string{bind.Addr}
	}})
	local := []string{"--root", env.Root, "--node", daemontest.Node}
	remote := remoteFlags(t, env)
	for i, f := range remote {
		if f == "--fingerprint" { // the served certificate changes under the order
			remote = append(append(remote[:i:i], "--insecure"), remote[i+2:]...)
			break
		}
	}
	root := env.RootAuth()
	upid := env.MustOK(root, "POST", "/cluster/acme/account", url.Values{"contact": {"a@example.test"},
		"directory": {pebble.Directory}, "tos_url": {"x"}}).Data.(string)
	waitTask(t, env, upid)

	if out := mustRun(t, append([]string{"pvenode", "acme", "account", "list", "--output-format", "json"}, local...)...); !strings.Contains(out, `"default"`) {
		t.Fatalf("account list: %s", out)
	}
	if out := mustRun(t, append([]string{"pvenode", "acme", "account", "info", "--output-format", "json"}, local...)...); !strings.Contains(out, pebble.Directory) {
		t.Fatalf("account info: %s", out)
	}
	dataFile := filepath.Join(t.TempDir(), "bind.env")
	data := "NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=" + strconv.Itoa(bind.Port) + "\nNSUPDATE_KEY=" + bind.KeyFile + "\n"
	if err := os.WriteFile(dataFile, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, append([]string{"pvenode", "acme", "plugin", "add", "dns", "bind", "--api", "nsupdate", "--data", dataFile}, local...)...)
	mustRun(t, append([]string{"pvenode", "acme", "plugin", "set", "bind", "--validation-delay", "0"}, local...)...)
	var plugin map[string]any
	out := mustRun(t, append([]string{"pvenode", "acme", "plugin", "config", "bind", "--output-format", "json"}, local...)...)
	if err := json.Unmarshal([]byte(out), &plugin); err != nil || plugin["data"] != data || plugin["validation-delay"] != 0.0 {
		t.Fatalf("plugin config: %v %s", err, out)
	}
	code, _, errOut := run(t, "", append([]string{"pvenode", "acme", "plugin", "add", "dns", "bad", "--api", "cf"}, local...)...)
	if code == 0 || !strings.Contains(errOut, "CF_Token") {
		t.Errorf("plugin without keys: %d %s", code, errOut)
	}
	mustRun(t, append([]string{"pvenode", "config", "set", "--acmedomain0", "cli.example.test,plugin=bind"}, local...)...)
	out = mustRun(t, append([]string{"pvenode", "acme", "cert", "order"}, remote...)...)
	if !strings.Contains(out, "adding TXT record _acme-challenge.cli.example.test") || !strings.Contains(out, "status: valid") {
		t.Fatalf("order output:\n%s", out)
	}
	info := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/certificates/info", nil).Data.([]any)
	certtest.WaitServed(t, env.URL, info[len(info)-1].(map[string]any)["fingerprint"].(string))
	mustRun(t, append([]string{"pvenode", "acme", "cert", "revoke"}, remote...)...)
	certtest.WaitServed(t, env.URL, info[1].(map[string]any)["fingerprint"].(string))
	mustRun(t, append([]string{"pvenode", "config", "set", "--delete", "acmedomain0"}, local...)...)
	mustRun(t, append([]string{"pvenode", "acme", "plugin", "remove", "bind"}, local...)...)
	if out := mustRun(t, append([]string{"pvenode", "acme", "plugin", "list", "--output-format", "json"}, local...)...); strings.Contains(out, `"bind"`) {
		t.Fatalf("plugin left: %s", out)
	}
}

func waitTask(t *testing.T, env *daemontest.Env, upid string) {
	t.Helper()
	if err := env.Server.Node().Services.Tasks.Wait(t.Context(), upid); err != nil {
		t.Fatal(err)
	}
	st := env.MustOK(env.RootAuth(), "GET", "/nodes/"+daemontest.Node+"/tasks/"+url.PathEscape(upid)+"/status", nil).Data.(map[string]any)
	if st["exitstatus"] != "OK" {
		t.Fatalf("task %s: %v", upid, st)
	}
}
