package api_test

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/tasks"
)

// blockingTask starts a task that logs a line and waits to be stopped.
func blockingTask(t *testing.T, env *daemontest.Env, typ, user string) string {
	t.Helper()
	upid, err := env.Server.Node().Services.Tasks.Start(context.Background(), typ, "", user,
		func(ctx context.Context, l *tasks.Log) error {
			l.Printf("started")
			<-ctx.Done()
			return ctx.Err()
		})
	if err != nil {
		t.Fatal(err)
	}
	return upid.String()
}

func runTask(t *testing.T, env *daemontest.Env, typ, user string, fail error, warn bool) string {
	t.Helper()
	tm := env.Server.Node().Services.Tasks
	upid, err := tm.Start(context.Background(), typ, "100", user, func(_ context.Context, l *tasks.Log) error {
		l.Printf("line one")
		if warn {
			l.Warn("something odd")
		}
		return fail
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.Wait(context.Background(), upid.String()); err != nil {
		t.Fatal(err)
	}
	return upid.String()
}

func TestTaskAPI(t *testing.T) {
	env := daemontest.Start(t)
	root := env.RootAuth()
	alice := env.AddUser("alice@pve", "alice-pass", nil)
	eve := env.AddUser("eve@pve", "eve-pass", nil)
	base := "/nodes/" + daemontest.Node + "/tasks"

	ok := runTask(t, env, "aptupdate", "root@pam", nil, false)
	bad := runTask(t, env, "srvreload", "alice@pve", errors.New("boom\nsecond line"), false)
	warned := runTask(t, env, "aptupdate", "alice@pve", nil, true)
	running := blockingTask(t, env, "vncproxy", "alice@pve")

	t.Run("status of a finished task", func(t *testing.T) {
		m := env.MustOK(root, "GET", base+"/"+url.PathEscape(bad)+"/status", nil).Data.(map[string]any)
		if m["status"] != "stopped" || m["exitstatus"] != "boom second line" || m["type"] != "srvreload" {
			t.Errorf("status: %v", m)
		}
		w := env.MustOK(root, "GET", base+"/"+url.PathEscape(warned)+"/status", nil).Data.(map[string]any)
		if w["exitstatus"] != "WARNINGS: 1" {
			t.Errorf("warnings: %v", w)
		}
	})
	t.Run("log while running, owner may read", func(t *testing.T) {
		r := env.MustOK(alice, "GET", base+"/"+url.PathEscape(running)+"/log", nil)
		lines := r.Data.([]any)
		if len(lines) != 1 || lines[0].(map[string]any)["t"] != "started" || *r.Total != 1 {
			t.Errorf("log: %s", r.Body)
		}
		st := env.MustOK(alice, "GET", base+"/"+url.PathEscape(running)+"/status", nil).Data.(map[string]any)
		if st["status"] != "running" {
			t.Errorf("status: %v", st)
		}
	})
	t.Run("others need Sys.Audit", func(t *testing.T) {
		if r := env.Do(eve, "GET", base+"/"+url.PathEscape(running)+"/log", nil); r.Status != 403 {
			t.Errorf("eve reads alice's log: %d", r.Status)
		}
		if r := env.Do(eve, "DELETE", base+"/"+url.PathEscape(running), nil); r.Status != 403 {
			t.Errorf("eve stops alice's task: %d", r.Status)
		}
	})
	t.Run("list filters", func(t *testing.T) {
		r := env.MustOK(root, "GET", base, url.Values{"typefilter": {"aptupdate"}})
		if *r.Total != 2 || len(r.Data.([]any)) != 2 {
			t.Errorf("typefilter: total %d %s", *r.Total, r.Body)
		}
		r = env.MustOK(root, "GET", base, url.Values{"errors": {"1"}})
		if *r.Total != 2 {
			t.Errorf("errors=1 (error + warning): total %d", *r.Total)
		}
		r = env.MustOK(root, "GET", base, url.Values{"statusfilter": {"ok"}})
		if *r.Total != 1 || r.Data.([]any)[0].(map[string]any)["upid"] != ok {
			t.Errorf("statusfilter ok: %s", r.Body)
		}
		r = env.MustOK(root, "GET", base, url.Values{"limit": {"1"}, "start": {"1"}})
		if *r.Total != 3 || len(r.Data.([]any)) != 1 {
			t.Errorf("paging: total %d %s", *r.Total, r.Body)
		}
		r = env.MustOK(alice, "GET", base, nil)
		if *r.Total != 2 {
			t.Errorf("alice sees her own tasks only: %s", r.Body)
		}
		r = env.MustOK(root, "GET", base, url.Values{"source": {"active"}})
		found := false
		for _, it := range r.Data.([]any) {
			if m := it.(map[string]any); m["upid"] == running && m["status"] == "RUNNING" {
				found = true
			}
		}
		if !found {
			t.Errorf("active list lacks the running task: %s", r.Body)
		}
	})
	t.Run("owner stops the task", func(t *testing.T) {
		env.MustOK(alice, "DELETE", base+"/"+url.PathEscape(running), nil)
		deadline := time.Now().Add(5 * time.Second)
		for {
			st := env.MustOK(root, "GET", base+"/"+url.PathEscape(running)+"/status", nil).Data.(map[string]any)
			if st["status"] == "stopped" {
				if st["exitstatus"] != "received interrupt" {
					t.Errorf("exit status %v", st["exitstatus"])
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("task did not stop")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("download", func(t *testing.T) {
		req, _ := http.NewRequest("GET", env.URL+"/api2/json"+base+"/"+url.PathEscape(ok)+"/log?download=1", nil)
		root.ApplyTo(req)
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := env.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		if !strings.HasSuffix(string(b), "TASK OK\n") || !strings.Contains(resp.Header.Get("Content-Disposition"), "task-testnode-aptupdate-") {
			t.Errorf("download: %q %v", b, resp.Header)
		}
	})
	t.Run("bad upid", func(t *testing.T) {
		r := env.Do(root, "GET", base+"/UPID:nonsense/status", nil)
		if r.Status != 400 || r.Errors["upid"] != "unable to parse worker upid" {
			t.Errorf("got %d %v", r.Status, r.Errors)
		}
	})
	t.Run("cluster tasks", func(t *testing.T) {
		list := env.MustOK(root, "GET", "/cluster/tasks", nil).Data.([]any)
		if len(list) < 4 {
			t.Errorf("cluster tasks: %v", list)
		}
	})
}

// TestShutdownRecordsRunningTasks stops the daemon while a task runs: the
// task is told to stop and ends with an error status in its log and the
// index, which a new daemon on the same root lists.
func TestShutdownRecordsRunningTasks(t *testing.T) {
	env := daemontest.Start(t)
	upid := blockingTask(t, env, "aptupdate", "root@pam")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	again := daemontest.Restart(t, env)
	r := again.MustOK(again.RootAuth(), "GET", "/nodes/"+daemontest.Node+"/tasks/"+url.PathEscape(upid)+"/status", nil)
	if m := r.Data.(map[string]any); m["status"] != "stopped" || m["exitstatus"] != "received interrupt" {
		t.Errorf("after restart: %v", m)
	}
	list := again.MustOK(again.RootAuth(), "GET", "/nodes/"+daemontest.Node+"/tasks", nil)
	if *list.Total != 1 {
		t.Errorf("index after restart: %s", list.Body)
	}
}
