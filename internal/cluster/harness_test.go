package cluster_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hostadm/internal/access"
	"hostadm/internal/daemon"
	"hostadm/internal/daemon/daemontest"
)

// bin is the hostadm binary TestMain builds once.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hostadm-cluster-bin")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "hostadm")
	// `go test` puts the running toolchain's go first on PATH.
	build := exec.Command("go", "build", "-o", bin, "hostadm/cmd/hostadm")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one hostadm daemon run as a process of its own on loopback.
type proc struct {
	t          testing.TB
	name, root string
	apiPort    int
	peerPort   int
	cmd        *exec.Cmd
	token      string // a root@pam token of the node's standalone store
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newProc prepares a node: a root with the /proc files, and a root token.
func newProc(t testing.TB, name string) *proc {
	p := &proc{t: t, name: name, root: t.TempDir(), apiPort: freePort(t), peerPort: freePort(t)}
	daemontest.WriteProc(t, p.root)
	ctx := context.Background()
	n, err := daemon.Open(ctx, daemon.Config{Root: p.root, Node: name, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	full, secret, err := n.Services.Auth.CreateToken(ctx, access.Identity{User: "root@pam"}, "root@pam", "test", 0, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	p.token = full + "=" + secret
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *proc) url() string { return "https://127.0.0.1:" + strconv.Itoa(p.apiPort) }

// start runs the daemon; it is killed by PID when the test ends.
func (p *proc) start() {
	p.t.Helper()
	logf, err := os.OpenFile(filepath.Join(p.root, "daemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	p.cmd = exec.Command(bin, "serve", "--root", p.root, "--node", p.name,
		"--listen", "127.0.0.1:"+strconv.Itoa(p.apiPort), "--peer-listen", "127.0.0.1:"+strconv.Itoa(p.peerPort),
		"--advertise", p.url(), "--test-fast", "--auth-fail-delay", "0", "--log-level", "warn")
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	cmd := p.cmd
	p.t.Cleanup(func() {
		stop(cmd)
		logf.Close()
	})
}

// kill stops the daemon with SIGKILL.
func (p *proc) kill() { stop(p.cmd) }

// stop kills a daemon by PID and reaps it, unless it was reaped already
// (its PID may belong to another process by then).
func stop(cmd *exec.Cmd) {
	if cmd.ProcessState == nil {
		syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}
}

func (p *proc) log() string {
	b, _ := os.ReadFile(filepath.Join(p.root, "daemon.log"))
	return string(b)
}

var client = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

type reply struct {
	status int
	reason string
	data   any
	msg    string
	body   string
}

// call sends one API call to p with a token.
func (p *proc) call(token, method, path string, form url.Values) reply {
	p.t.Helper()
	var body io.Reader
	u := p.url() + "/api2/json" + path
	if method == "GET" || method == "DELETE" {
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set("Authorization", "PVEAPIToken="+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return reply{status: -1, msg: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var env struct {
		Data    any    `json:"data"`
		Message string `json:"message"`
	}
	json.Unmarshal(b, &env)
	return reply{status: resp.StatusCode, reason: resp.Status, data: env.Data, msg: env.Message, body: string(b)}
}

func (p *proc) mustOK(token, method, path string, form url.Values) any {
	p.t.Helper()
	r := p.call(token, method, path, form)
	if r.status != 200 {
		p.t.Fatalf("%s: %s %s: %s %s", p.name, method, path, r.reason, r.body)
	}
	return r.data
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	last := ""
	for time.Now().Before(deadline) {
		ok, info := cond()
		if ok {
			return
		}
		last = info
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last: %s", what, last)
}

// status returns /cluster/status as asked of p: quorate, and node name →
// online.
func (p *proc) status(token string) (quorate bool, nodes map[string]bool, info string) {
	r := p.call(token, "GET", "/cluster/status", nil)
	if r.status != 200 {
		return false, nil, r.reason + " " + r.body
	}
	nodes = map[string]bool{}
	for _, e := range r.data.([]any) {
		m := e.(map[string]any)
		switch m["type"] {
		case "cluster":
			quorate = m["quorate"] == float64(1)
		case "node":
			nodes[m["name"].(string)] = m["online"] == float64(1)
		}
	}
	return quorate, nodes, r.body
}

// waitTask waits for a task of p to end and returns its exit status.
func (p *proc) waitTask(token, upid string) string {
	p.t.Helper()
	node := strings.Split(upid, ":")[1]
	var exit string
	waitFor(p.t, "task "+upid, 30*time.Second, func() (bool, string) {
		r := p.call(token, "GET", "/nodes/"+node+"/tasks/"+url.PathEscape(upid)+"/status", nil)
		if r.status != 200 {
			return false, r.body
		}
		m := r.data.(map[string]any)
		if m["status"] == "stopped" {
			exit = fmt.Sprint(m["exitstatus"])
			return true, ""
		}
		return false, r.body
	})
	return exit
}

// callTicket sends a GET with a ticket cookie.
func (p *proc) callTicket(ticket, method, path string) reply {
	p.t.Helper()
	req, err := http.NewRequest(method, p.url()+"/api2/json"+path, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "PVEAuthCookie", Value: ticket})
	resp, err := client.Do(req)
	if err != nil {
		return reply{status: -1, msg: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, reason: resp.Status, body: string(b)}
}
