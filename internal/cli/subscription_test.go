package cli_test

import (
	"strings"
	"testing"

	"hostadm/internal/daemon/daemontest"
)

// TestPvesubscription sets, shows and deletes a key the way pvesubscription
// does, and refuses a malformed key without storing it.
func TestPvesubscription(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	sub := func(args ...string) string {
		return mustRun(t, append(append([]string{"pvesubscription"}, args...), flags...)...)
	}
	if out := sub("get"); !strings.Contains(out, "notfound") {
		t.Errorf("get without key: %s", out)
	}
	sub("set", "pve4s-00112233ff")
	out := sub("get", "--output-format", "json")
	if !strings.Contains(out, `"status":"invalid"`) || !strings.Contains(out, `"key":"pve4s-00112233ff"`) {
		t.Errorf("get with key: %s", out)
	}
	code, _, errOut := run(t, "", append([]string{"pvesubscription", "set", "pve4s-XYZ"}, flags...)...)
	if code == 0 || !strings.Contains(errOut, "key") {
		t.Errorf("bad key: exit %d %s", code, errOut)
	}
	if out := sub("get", "--output-format", "json"); !strings.Contains(out, "pve4s-00112233ff") {
		t.Errorf("bad key changed the stored one: %s", out)
	}
	sub("delete")
	if out := sub("get"); !strings.Contains(out, "notfound") {
		t.Errorf("get after delete: %s", out)
	}
}
