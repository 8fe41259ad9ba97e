package web_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hostadm/internal/daemon/daemontest"
	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/host"
)

// graphCoverage is a JavaScript expression: for each summary chart, the
// fraction of its canvas's columns holding an opaque pixel of the first
// series' colour (#2f7fa8) — the drawn line, not the translucent fill.
const graphCoverage = `[...document.querySelectorAll('.graphs .chart')].map((c) => {
	const cv = c.querySelector('canvas');
	if (!cv || !cv.width) return 0;
	const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
	const cols = new Set();
	for (let i = 0; i < d.length; i += 4) {
		if (d[i + 3] > 200 && Math.abs(d[i] - 47) < 24 && Math.abs(d[i + 1] - 127) < 24 && Math.abs(d[i + 2] - 168) < 24) cols.add((i / 4) % cv.width);
	}
	return cols.size / cv.width;
})`

// TestBrowserNotesGraphsMetricsDisks covers the summary's Markdown notes
// (a script tag in them stays text) and rrddata graphs — over 25 hours of
// history recorded by the metrics service's own loop (historyService), each
// chart must draw its line across the hour and the day — the metric server
// page (a field error, create, the health column, delete asking with the
// id), and the ZFS wizard: a device count the RAID level refuses, the plan,
// and the task — whose commands, recorded, must be the plan's — and, on the
// ZFS tab, the pool detail with its vdev tree and scan line.
func TestBrowserNotesGraphsMetricsDisks(t *testing.T) {
	b := newBrowser(t)
	env := daemontest.Start(t, daemontest.Options{Prepare: func(root string) {
		disktest.FakeDisks(t, root, "sdb", "sdc", "sdd", "sde")
		daemontest.WriteFile(t, root, "usr/sbin/zpool", "")
	}})
	rec := disktest.QuietRecorder()
	rec.On([]string{"zpool", "list", "-HPLv"}, host.Reply{})
	rec.On([]string{"zpool", "list", "-HpPLo", "name,size,alloc,free,frag,dedup,health"}, host.Reply{Stdout: disktest.Testdata(t, "zfs", "list-HpPLo.txt")})
	rec.On([]string{"zpool", "status", "-P", "rpool"}, host.Reply{Stdout: disktest.Testdata(t, "zfs", "status-degraded-resilver.txt")})
	create := []string{"zpool", "create", "-o", "ashift=12", "tank2", "raidz",
		"/dev/disk/by-id/ata-DISK_SDB", "/dev/disk/by-id/ata-DISK_SDC", "/dev/disk/by-id/ata-DISK_SDD",
		"cache", "/dev/disk/by-id/ata-DISK_SDE"}
	rec.On(create, host.Reply{})
	rec.On([]string{"zfs", "set", "compression=on", "tank2"}, host.Reply{})
	for _, line := range strings.Split(strings.TrimSpace(disktest.Testdata(t, "zfs", "list-datasets-tank.txt")), "\n") {
		rec.On(zfs.DatasetsArgs(strings.Split(line, "\t")[0], false), host.Reply{Stdout: line + "\n"})
	}
	changeKey := []string{"zfs", "change-key", "-o", "keylocation=prompt", "-o", "keyformat=passphrase", "tank/keyed"}
	rec.On(changeKey, host.Reply{})
	svc := env.Server.Node().Services
	svc.Disks = disks.New(disks.Config{Root: svc.Root, Runner: rec})
	root := env.RootAuth()
	node := "/nodes/" + daemontest.Node
	env.MustOK(root, "PUT", node+"/config", url.Values{"description": {
		"# Rack 4, slot 12\n\nOwner: **ops**, see the [runbook](https://wiki.example/pve1).\n\n- UPS on *port 3*\n- `zpool scrub` monthly\n\n<script>window.pwned = 1</script>"}})
	// 25 hours of one-minute rounds, recorded by the metrics service's own loop.
	svc.Metrics = historyService(t, svc.Store, 25*60)
	loginAdmin(b, env)

	// Summary: notes and graphs.
	b.waitFor("notes", `document.querySelector('[data-testid=notes] .markdown h2')?.textContent === 'Rack 4, slot 12'`)
	b.waitFor("graphs", `document.querySelectorAll('.graphs .chart').length === 4`)
	// Each chart's canvas must carry its first series' line (opaque pixels
	// of its colour) across most of the hour.
	b.waitFor("lines drawn", graphCoverage+`.every((f) => f > 0.6)`)
	b.waitFor("scroll to the graphs", `(document.querySelector('.graphs').scrollIntoView(), true)`)
	b.do("settle", chromedp.Sleep(300*time.Millisecond))
	b.shot("summary-graphs-hour")
	if eval[bool](b, `!!document.querySelector('[data-testid=notes] script') || window.pwned === 1 || !document.querySelector('[data-testid=notes]').textContent.includes('<script>')`) {
		t.Errorf("the note's script tag was not kept as text")
	}
	b.do("settle", chromedp.Sleep(500*time.Millisecond))
	b.shot("summary-notes-graphs")
	for _, tf := range []string{"day", "week", "month", "year"} {
		b.waitFor("timeframe "+tf, `(() => { const s = document.querySelector('.graphs select'); s.value = '`+tf+`'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
		b.waitFor("graphs "+tf, `document.querySelectorAll('.graphs .chart').length === 4`)
		b.waitFor("lines drawn "+tf, graphCoverage+`.every((f) => f > 0)`)
		if tf == "day" {
			b.waitFor("day covered", graphCoverage+`.every((f) => f > 0.6)`)
			b.waitFor("scroll to graphs", `(document.querySelector('.graphs').scrollIntoView(), true)`)
			b.do("settle", chromedp.Sleep(300*time.Millisecond))
			b.shot("summary-graphs-day")
		}
	}
	b.waitFor("scroll to graphs", `(document.querySelector('.graphs').scrollIntoView(), true)`)
	b.do("settle", chromedp.Sleep(300*time.Millisecond))
	b.shot("summary-graphs-year")

	// Metric servers.
	b.do("metrics", chromedp.Navigate(env.URL+"/#/metrics"))
	b.clickText("button", "Add")
	b.choose("type", "graphite")
	b.fill("id", "graphite1")
	b.fill("server", "127.0.0.1")
	b.fill("port", "70000")
	b.clickText(".dialog button", "Add")
	b.waitFor("port error", `document.querySelector('.dialog .has-error input[name=port]') && document.querySelector('.dialog .has-error .field-error')?.textContent.includes('65536')`)
	b.shot("metrics-01-field-error")
	b.fill("port", "2003")
	b.clickText(".dialog button", "Add")
	b.waitFor("created", `!document.querySelector('.dialog') && !!document.querySelector('[data-testid=metric-graphite1] .chip')`)
	b.do("settle", chromedp.Sleep(300*time.Millisecond))
	b.shot("metrics-02-list")
	b.clickText("[data-testid=metric-graphite1] button", "Delete")
	b.waitFor("delete asks with the id", `document.querySelector('.dialog .object-name')?.textContent === 'graphite1'`)
	b.shot("metrics-03-delete")
	b.clickText(".dialog button", "Delete")
	b.waitFor("deleted", `!document.querySelector('.dialog') && !document.querySelector('[data-testid=metric-graphite1]')`)

	// Disks: the ZFS wizard and the pool detail.
	b.do("disks", chromedp.Navigate(env.URL+"/#/disks"))
	b.waitFor("disks and the zfs tab", `[...document.querySelectorAll('.tabs a')].some((a) => a.textContent === 'ZFS') && document.body.textContent.includes('/dev/sdd')`)
	b.clickText("button", "ZFS pool")
	b.fill("name", "tank2")
	b.choose("raidlevel", "raidz")
	for _, d := range []string{"/dev/sdb", "/dev/sdc"} {
		b.waitFor("check "+d, `(() => { const c = document.querySelector('.dialog input[name=devices][value="`+d+`"]'); if (c && !c.checked) c.click(); return !!c; })()`)
	}
	b.waitFor("the plan preview refuses as the API does", `document.querySelector('.dialog [data-testid=disk-plan-preview] .plan-error')?.textContent === 'raidz needs at least 3 disks'`)
	b.clickText(".dialog button", "Review the plan")
	b.waitFor("device count error", `document.querySelector('.dialog form > .alert-error')?.textContent === 'raidz needs at least 3 disks'`)
	b.shot("disks-01-zfs-too-few")
	b.waitFor("check /dev/sdd", `(() => { const c = document.querySelector('.dialog input[name=devices][value="/dev/sdd"]'); if (c && !c.checked) c.click(); return !!c; })()`)
	// /dev/sde as the cache (L2ARC) vdev; a data device offers no role.
	b.waitFor("no role for a data device", `!document.querySelector('.dialog select[name=aux-role][data-dev="/dev/sdb"]')`)
	b.waitFor("sde as cache", `(() => { const s = document.querySelector('.dialog select[name=aux-role][data-dev="/dev/sde"]'); if (!s) return false; s.value = 'cache'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	b.waitFor("plan preview", `[...document.querySelectorAll('[data-testid=disk-plan-preview] .plan-cmd')].some((e) => e.textContent === '`+strings.Join(create, " ")+`')`)
	b.clickText(".dialog button", "Review the plan")
	b.waitFor("plan", `[...document.querySelectorAll('[data-testid=disk-plan] .plan-cmd')].some((e) => e.textContent === '`+strings.Join(create, " ")+`')`)
	b.shot("disks-02-zfs-plan")
	planned := eval[[]string](b, `[...document.querySelectorAll('[data-testid=disk-plan] .plan-cmd')].map((e) => e.textContent)`)
	before := len(rec.Calls())
	b.clickText(".dialog button", "Create ZFS pool")
	b.waitFor("task done", `document.querySelector('[data-testid=task-status]')?.textContent === 'OK'`)
	b.shot("disks-03-zfs-task")
	// The task ran the plan shown, command for command (the in-use checks between).
	var ran []string
	for _, c := range rec.Calls()[before:] {
		if slices.Contains(planned, c) {
			ran = append(ran, c)
		}
	}
	if !slices.Equal(ran, planned) || !slices.Contains(planned, "zfs set compression=on tank2") {
		t.Errorf("the task ran %q of the planned %q:\n%s", ran, planned, strings.Join(rec.Calls()[before:], "\n"))
	}
	b.clickText(".dialog button", "×")
	b.waitFor("task closed", `!document.querySelector('.dialog')`)
	b.clickText(".tabs a", "ZFS")
	b.waitFor("rpool row", `[...document.querySelectorAll('tr')].some((r) => r.textContent.includes('rpool'))`)
	b.waitFor("open detail", `(() => { const r = [...document.querySelectorAll('tr')].find((r) => r.querySelector('td strong')?.textContent === 'rpool'); const btn = r && [...r.querySelectorAll('button')].find((x) => x.textContent === 'Detail'); if (btn) btn.click(); return !!btn; })()`)
	b.waitFor("zfs detail", `document.querySelector('[data-testid=zfs-state]')?.textContent === 'DEGRADED' && document.querySelector('[data-testid=zfs-scan]')?.textContent.includes('resilver in progress') && document.body.textContent.includes('replacing-1')`)
	b.shot("disks-04-zfs-detail")

	// Change the key of an encrypted dataset: the key only in the request
	// body, on zfs's stdin, never in the page afterwards or the task log.
	const key = "correct horse battery staple"
	b.clickText(".dialog button", "×")
	b.waitFor("detail closed", `!document.querySelector('.dialog')`)
	b.waitFor("open change key", `(() => { const r = [...document.querySelectorAll('tr')].find((r) => r.querySelector('td strong')?.textContent === 'tank'); const btn = r && [...r.querySelectorAll('button')].find((x) => x.textContent === 'Change key'); if (btn) btn.click(); return !!btn; })()`)
	b.fill("dataset", "tank/keyed")
	b.fill("key", key)
	b.fill("confirm", key)
	b.shot("disks-05-zfs-change-key")
	b.clickText(".dialog button", "Change key")
	b.waitFor("change-key task done", `document.querySelector('[data-testid=task-status]')?.textContent === 'OK'`)
	if eval[bool](b, `document.documentElement.outerHTML.includes('`+key+`') || [...document.querySelectorAll('input')].some((i) => i.value.includes('`+key+`'))`) {
		t.Errorf("the key is shown in the page")
	}
	if !strings.Contains(strings.Join(rec.Calls(), "\n"), strings.Join(changeKey, " ")) {
		t.Errorf("change-key did not run:\n%s", strings.Join(rec.Calls(), "\n"))
	}
	if _, in, _ := zfs.ChangeKeyArgs("tank", "tank/keyed", "passphrase", key); rec.Stdin(changeKey) != string(in) || len(in) == 0 {
		t.Errorf("zfs change-key got %q on stdin, want %q", rec.Stdin(changeKey), in)
	}
	b.checkPageErrors()
}
