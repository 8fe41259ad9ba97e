package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hostadm/internal/certs/certtest"
	"hostadm/internal/daemon/daemontest"
)

// TestPvenodeCert uploads a custom certificate with `pvenode cert set`,
// sees the running daemon present it over a real TLS handshake, refuses
// a mismatched key without changing anything, and deletes it again.
func TestPvenodeCert(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	dir := t.TempDir()
	now := time.Now()
	chain, key := certtest.Leaf(t, []string{daemontest.Node + ".example.com"}, now.Add(-time.Hour), now.Add(60*24*time.Hour))
	_, otherKey := certtest.Leaf(t, []string{daemontest.Node}, now.Add(-time.Hour), now.Add(time.Hour))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certFile, keyFile, otherFile := write("c.pem", chain), write("k.pem", key), write("o.pem", otherKey)
	nodeCert, err := certtest.Served(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, append([]string{"pvenode", "cert", "set", certFile, keyFile, "--output-format", "json"}, flags...)...)
	var info map[string]any
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want, _ := info["fingerprint"].(string)
	certtest.WaitServed(t, env.URL, want)

	code, _, errOut := run(t, "", append([]string{"pvenode", "cert", "set", certFile, otherFile, "--force", "1"}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "does not match") {
		t.Fatalf("mismatched key: exit %d: %s", code, errOut)
	}
	code, _, errOut = run(t, "", append([]string{"pvenode", "cert", "set", certFile}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "force flag is not set") {
		t.Fatalf("without force: exit %d: %s", code, errOut)
	}
	if c, err := certtest.Served(env.URL); err != nil || certtest.Fingerprint(c) != want {
		t.Fatalf("served pair changed after refused uploads: %v", err)
	}
	out = mustRun(t, append([]string{"pvenode", "cert", "info", "--output-format", "json"}, flags...)...)
	if !strings.Contains(out, `"pveproxy-ssl.pem"`) || !strings.Contains(out, want) {
		t.Fatalf("info lacks the custom certificate: %s", out)
	}
	mustRun(t, append([]string{"pvenode", "cert", "delete"}, flags...)...)
	certtest.WaitServed(t, env.URL, certtest.Fingerprint(nodeCert))
}

// TestCertificatesAPI checks the index, the info list and the 400 shape of
// bad uploads over HTTPS.
func TestCertificatesAPI(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	idx := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/certificates", nil)
	if b, _ := json.Marshal(idx.Data); !strings.Contains(string(b), `"acme"`) || !strings.Contains(string(b), `"custom"`) || !strings.Contains(string(b), `"info"`) {
		t.Errorf("index %s", b)
	}
	now := time.Now()
	expired, key := certtest.Leaf(t, []string{daemontest.Node}, now.Add(-72*time.Hour), now.Add(-time.Hour))
	r := env.Do(root, "POST", "/nodes/"+daemontest.Node+"/certificates/custom",
		map[string][]string{"certificates": {string(expired)}, "key": {string(key)}})
	if r.Status != 400 || !strings.Contains(r.Errors["certificates"], "expired") {
		t.Fatalf("expired upload: %d %v %s", r.Status, r.Errors, r.Body)
	}
	r = env.Do(root, "POST", "/nodes/"+daemontest.Node+"/certificates/custom",
		map[string][]string{"certificates": {"garbage"}, "key": {string(key)}})
	if r.Status != 400 || r.Errors["certificates"] == "" {
		t.Fatalf("garbage upload: %d %s", r.Status, r.Body)
	}
	list := env.MustOK(root, "GET", "/nodes/"+daemontest.Node+"/certificates/info", nil).Data.([]any)
	if len(list) != 2 {
		t.Fatalf("info after refused uploads: %v", list)
	}
}
