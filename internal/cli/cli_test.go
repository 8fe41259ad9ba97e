package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/certs"
	"hostadm/internal/cli"
	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/tasks"
)

// run calls the CLI as argv (argv[0] is the program name) and returns its
// exit code and outputs.
func run(t *testing.T, stdin string, argv ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(argv, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRun(t *testing.T, argv ...string) string {
	t.Helper()
	code, out, errOut := run(t, "", argv...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s%s", argv, code, out, errOut)
	}
	return out
}

// TestTokenMintedByCLIWorksAtOnce is the scenario: root on the node
// mints a token in-process against the daemon's root, and the running
// daemon accepts it without a restart.
func TestTokenMintedByCLIWorksAtOnce(t *testing.T) {
	env := daemontest.Start(t)
	out := mustRun(t, "hostadm", "pveum", "user", "token", "add", "root@pam", "ci", "--privsep", "0",
		"--output-format", "json", "--root", env.Root, "--node", daemontest.Node)
	var tok struct {
		Full  string `json:"full-tokenid"`
		Value string `json:"value"`
	}
	if err := json.Unmarshal([]byte(out), &tok); err != nil || tok.Full != "root@pam!ci" || tok.Value == "" {
		t.Fatalf("token output %q: %v", out, err)
	}
	r := env.Do(daemontest.Auth{Token: tok.Full + "=" + tok.Value}, "GET", "/nodes/"+daemontest.Node+"/status", nil)
	if r.Status != 200 {
		t.Fatalf("daemon refused the new token: %d %s", r.Status, r.Reason)
	}

	// The same token drives the CLI over HTTPS, pinned to the node's certificate.
	cert, _, _, err := env.Server.Node().Services.Certs.Active(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, "pvesh", "get", "/version", "--host", env.URL, "--token", tok.Full+"="+tok.Value,
		"--fingerprint", certs.Fingerprint(cert), "--output-format", "json")
	if !strings.Contains(out, `"release":"9.1"`) {
		t.Errorf("remote pvesh: %s", out)
	}
	code, _, errOut := run(t, "", "pvesh", "get", "/version", "--host", env.URL, "--token", tok.Full+"=wrong",
		"--fingerprint", certs.Fingerprint(cert))
	if code == 0 || !strings.Contains(errOut, "401") {
		t.Errorf("bad token over HTTPS: exit %d %q", code, errOut)
	}
}

func TestPveshInProcess(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	out := mustRun(t, append([]string{"hostadm", "pvesh", "get", "/nodes/localhost/status", "--output-format", "json"}, flags...)...)
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil || st["cpuinfo"] == nil {
		t.Fatalf("status: %q %v", out, err)
	}
	out = mustRun(t, append([]string{"pvesh", "get", "/version"}, flags...)...)
	if !strings.Contains(out, "│ release") || !strings.Contains(out, "9.1") {
		t.Errorf("text table:\n%s", out)
	}
	out = mustRun(t, append([]string{"pvesh", "ls", "/nodes/localhost"}, flags...)...)
	if !strings.Contains(out, "status") || !strings.Contains(out, "tasks") {
		t.Errorf("ls:\n%s", out)
	}
	out = mustRun(t, append([]string{"pvesh", "usage", "/nodes/{node}/tasks", "--verbose"}, flags...)...)
	if !strings.Contains(out, "--typefilter") || !strings.Contains(out, "Only list tasks of this type") {
		t.Errorf("usage:\n%s", out)
	}
	code, _, errOut := run(t, "", append([]string{"pvesh", "get", "/nodes/localhost/tasks", "--limit", "-1"}, flags...)...)
	if code != 255 || !strings.Contains(errOut, "limit: value must have a minimum value of 0") {
		t.Errorf("bad parameter: exit %d %q", code, errOut)
	}
	code, _, errOut = run(t, "", append([]string{"pvesh", "get", "/nodes/localhost/nothing"}, flags...)...)
	if code != 255 || !strings.Contains(errOut, "501") {
		t.Errorf("unknown path: exit %d %q", code, errOut)
	}
}

func TestPveumUsersAndACL(t *testing.T) {
	env := daemontest.Start(t)
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	mustRun(t, append([]string{"/usr/sbin/pveum", "user", "add", "dave@pve", "--password", "dave-secret",
		"--comment", "ops team", "--email", "dave@example.com"}, flags...)...)
	out := mustRun(t, append([]string{"pveum", "user", "list"}, flags...)...)
	if !strings.Contains(out, "dave@pve") || !strings.Contains(out, "ops team") || !strings.Contains(out, "root@pam") {
		t.Errorf("user list:\n%s", out)
	}
	mustRun(t, append([]string{"pveum", "acl", "modify", "/nodes", "--roles", "PVEAuditor", "--users", "dave@pve"}, flags...)...)
	out = mustRun(t, append([]string{"pveum", "acl", "list", "--output-format", "json"}, flags...)...)
	if !strings.Contains(out, `"ugid":"dave@pve"`) || !strings.Contains(out, `"path":"/nodes"`) {
		t.Errorf("acl list: %s", out)
	}
	dave := env.Login("dave@pve", "dave-secret")
	env.MustOK(dave, "GET", "/nodes/"+daemontest.Node+"/status", nil)

	code, _, errOut := run(t, "new-secret\nnew-secret\n", append([]string{"pveum", "passwd", "dave@pve"}, flags...)...)
	if code != 0 {
		t.Fatalf("passwd: %d %s", code, errOut)
	}
	env.Login("dave@pve", "new-secret")

	out = mustRun(t, append([]string{"pveum", "role", "list"}, flags...)...)
	if !strings.Contains(out, "PVEAuditor") || !strings.Contains(out, "Sys.Audit") {
		t.Errorf("role list:\n%s", out)
	}
	out = mustRun(t, append([]string{"pveum", "user", "token", "add", "dave@pve", "t1", "--comment", "ci"}, flags...)...)
	if !strings.Contains(out, "dave@pve!t1") {
		t.Errorf("token add:\n%s", out)
	}
	out = mustRun(t, append([]string{"pveum", "user", "token", "list", "dave@pve"}, flags...)...)
	if !strings.Contains(out, "t1") {
		t.Errorf("token list:\n%s", out)
	}
	mustRun(t, append([]string{"pveum", "user", "token", "remove", "dave@pve", "t1"}, flags...)...)
	mustRun(t, append([]string{"pveum", "user", "delete", "dave@pve"}, flags...)...)
	if r := env.Do(daemontest.Auth{}, "POST", "/access/ticket", url.Values{"username": {"dave@pve"}, "password": {"new-secret"}}); r.Status != 401 {
		t.Errorf("deleted user can still log in: %d", r.Status)
	}
	code, _, errOut = run(t, "", append([]string{"pveum", "user", "frobnicate"}, flags...)...)
	if code != 255 || !strings.Contains(errOut, "USAGE: pveum") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
}

func TestPvenodeTasks(t *testing.T) {
	env := daemontest.Start(t)
	tm := env.Server.Node().Services.Tasks
	upid, err := tm.Start(context.Background(), "aptupdate", "", "root@pam", func(_ context.Context, l *tasks.Log) error {
		l.Printf("fetching lists")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tm.Wait(context.Background(), upid.String())
	flags := []string{"--root", env.Root, "--node", daemontest.Node}
	out := mustRun(t, append([]string{"pvenode", "task", "list"}, flags...)...)
	if !strings.Contains(out, upid.String()) || !strings.Contains(out, "aptupdate") || !strings.Contains(out, "OK") {
		t.Errorf("task list:\n%s", out)
	}
	out = mustRun(t, append([]string{"hostadm", "pvenode", "task", "log", upid.String()}, flags...)...)
	if out != "fetching lists\nTASK OK\n" {
		t.Errorf("task log: %q", out)
	}
	out = mustRun(t, append([]string{"pvenode", "task", "status", upid.String(), "--output-format", "json"}, flags...)...)
	if !strings.Contains(out, `"exitstatus":"OK"`) {
		t.Errorf("task status: %s", out)
	}
}

// TestCLIKeepsDaemonTasksRunning runs the in-process CLI while the daemon
// has a task running: the CLI must list it as running and must not end it.
func TestCLIKeepsDaemonTasksRunning(t *testing.T) {
	env := daemontest.Start(t)
	tm := env.Server.Node().Services.Tasks
	release := make(chan struct{})
	upid, err := tm.Start(context.Background(), "vzdump", "", "root@pam", func(ctx context.Context, l *tasks.Log) error {
		<-release
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The CLI must be its own process here: one process is one PID, and
	// a task of this PID that the CLI's manager does not know is dead.
	bin := filepath.Join(t.TempDir(), "pvenode")
	daemontest.BuildHostadm(t, bin)
	outb, err := exec.Command(bin, "task", "list", "--source", "active", "--output-format", "json",
		"--root", env.Root, "--node", daemontest.Node).CombinedOutput()
	out := string(outb)
	if err != nil {
		t.Fatalf("pvenode: %v: %s", err, out)
	}
	if !strings.Contains(out, upid.String()) || !strings.Contains(out, `"status":"RUNNING"`) {
		t.Errorf("CLI does not see the running task: %s", out)
	}
	close(release)
	if err := tm.Wait(context.Background(), upid.String()); err != nil {
		t.Fatal(err)
	}
	st, err := tm.Status(upid.String())
	if err != nil || st.ExitStatus != "OK" {
		t.Errorf("task ended %q (%v), want OK", st.ExitStatus, err)
	}
}

// TestVersionOpensNothing checks that an endpoint which needs no service
// is answered in-process without opening the node: no data directory,
// store or task directory appears under the root.
func TestVersionOpensNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("in-process mode needs root")
	}
	root := t.TempDir()
	out := mustRun(t, "hostadm", "pvesh", "get", "/version", "--root", root, "--output-format", "json")
	if !strings.Contains(out, `"release":"9.1"`) {
		t.Errorf("version: %q", out)
	}
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("the node was opened: %v", ents)
	}
}
