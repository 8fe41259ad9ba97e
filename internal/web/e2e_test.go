package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/tasks"
)

// slowTask starts a task that logs a line every 150 ms until it is stopped.
func slowTask(t *testing.T, env *daemontest.Env, user string) string {
	t.Helper()
	upid, err := env.Server.Node().Services.Tasks.Start(context.Background(), "aptupdate", "", user,
		func(ctx context.Context, l *tasks.Log) error {
			for i := 1; ; i++ {
				l.Printf("fetching index part %d", i)
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(150 * time.Millisecond):
				}
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	return upid.String()
}

// TestBrowser drives the real UI in headless Chromium against a real daemon:
// log in (after a failed try), read the summary, follow a running task's log
// and stop it, get a field error from bad input, add a user, log out.
func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	env := daemontest.Start(t)
	env.AddUser("alice@pve", "alice-pass", map[string]string{"/": "Administrator"})

	b.do("open", chromedp.Navigate(env.URL+"/"))
	b.waitFor("login form", `!!document.querySelector('form.login-box select[name=realm] option[value=pve]')`)
	b.shot("01-login")

	b.fill("username", "alice")
	b.fill("password", "wrong")
	b.choose("realm", "pve")
	b.clickText("button", "Log in")
	b.waitFor("login error", `(document.querySelector('[data-testid=login-error]') || {}).textContent?.includes('wrong')`)
	b.shot("02-login-failed")

	b.fill("password", "alice-pass")
	b.clickText("button", "Log in")
	b.waitFor("summary", `(document.querySelector('[data-testid=pveversion]') || {}).textContent?.startsWith('pve-manager/')`)
	if got := eval[string](b, `document.querySelector('[data-testid=user]').textContent`); got != "alice@pve" {
		t.Errorf("user shown %q", got)
	}
	if up := eval[string](b, `document.querySelector('[data-testid=uptime]').textContent`); up == "" || up == "0s" {
		t.Errorf("uptime shown %q", up)
	}
	b.waitFor("version", `document.body.textContent.includes('Release')`)
	b.shot("03-summary")

	upid := slowTask(t, env, "alice@pve")
	b.do("task log", chromedp.Navigate(env.URL+"/#/tasks"))
	b.waitFor("task row", `[...document.querySelectorAll('table.tasks td a')].some((a) => a.textContent.includes('Update package database'))`)
	b.shot("04-tasks")
	b.clickText("table.tasks td a", "Update package database")
	b.waitFor("live log", `document.querySelector('.task-log')?.textContent.includes('fetching index part 4') && document.querySelector('[data-testid=task-status]')?.textContent === 'running'`)
	b.shot("05-task-running")
	b.clickText("button", "Stop task")
	b.waitFor("stop asks with the task's name", `document.querySelector('.object-name')?.textContent === 'Update package database'`)
	b.clickText(".dialog button", "Stop")
	b.waitFor("task stopped", `(() => { const s = document.querySelector('[data-testid=task-status]')?.textContent; return s && s !== 'running' && s !== 'loading'; })()`)
	b.shot("06-task-stopped")
	st := env.MustOK(env.RootAuth(), "GET", "/nodes/"+daemontest.Node+"/tasks/"+upid+"/status", nil)
	if s := st.Data.(map[string]any)["status"]; s != "stopped" {
		t.Errorf("task status after Stop: %v", s)
	}

	b.do("users", chromedp.Navigate(env.URL+"/#/users"))
	b.clickText("button", "Add user")
	b.fill("userid", "bob")
	b.fill("email", "not-an-address")
	b.clickText(".dialog button", "Add")
	b.waitFor("field errors", `[...document.querySelectorAll('.dialog .field-error')].length >= 2`)
	errs := eval[string](b, `[...document.querySelectorAll('.dialog .has-error')].map((f) => f.querySelector('input').name + ': ' + f.querySelector('.field-error').textContent).join('\n')`)
	if !strings.Contains(errs, "userid: ") || !strings.Contains(errs, "email: ") {
		t.Errorf("field errors shown:\n%s", errs)
	}
	b.shot("07-user-field-errors")
	b.fill("userid", "bob@pve")
	b.fill("email", "bob@example.com")
	b.fill("password", "bob-secret")
	b.fill("confirm", "bob-secret")
	b.clickText(".dialog button", "Add")
	b.waitFor("new user listed", `!document.querySelector('.dialog') && document.body.textContent.includes('bob@pve')`)
	b.shot("08-users")
	env.MustOK(env.RootAuth(), "GET", "/access/users/bob@pve", nil)

	b.do("permissions", chromedp.Navigate(env.URL+"/#/acl"))
	b.waitFor("acl", `document.body.textContent.includes('Administrator')`)
	b.shot("09-permissions")

	b.do("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(env.URL+"/#/summary"))
	b.waitFor("phone summary", `!!document.querySelector('[data-testid=uptime]')`)
	b.shot("10-summary-phone")
	b.do("desktop", chromedp.EmulateViewport(1280, 860))

	b.clickText("button", "Log out")
	b.waitFor("logged out", `!!document.querySelector('form.login-box') && !document.cookie.includes('PVEAuthCookie=PVE')`)

	external := eval[[]string](b, fmt.Sprintf(`performance.getEntriesByType('resource').map((e) => e.name).filter((u) => !u.startsWith(%q))`, env.URL))
	if len(external) > 0 {
		t.Errorf("the UI loaded from outside the daemon: %q", external)
	}
	b.checkPageErrors()
}
