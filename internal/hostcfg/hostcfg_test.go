package hostcfg

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hostadm/internal/host"
	"hostadm/internal/hostcfg/golden"
)

func newTestService(t *testing.T) (*Service, *host.Recorder, string) {
	t.Helper()
	dir := t.TempDir()
	root, _ := host.NewRoot(dir)
	rec := host.NewRecorder()
	clock := func() time.Time { return time.Unix(1764151207, 0) }
	return New(Config{Root: root, Runner: rec, Clock: clock, ZoneInfo: "/usr/share/zoneinfo"}), rec, dir
}

func TestSyslogPaging(t *testing.T) {
	s, rec, _ := newTestService(t)
	ctx := context.Background()
	argv := []string{"journalctl", "-o", "short", "--no-pager", "--unit", "postfix@-", "--since", "2025-11-26"}
	rec.On(argv, host.Reply{Stdout: string(golden.Read(t, "journalctl-short.txt"))})
	lines, total, err := s.Syslog(ctx, SyslogQuery{Start: 1, Limit: 2, Since: "2025-11-26", Unit: "postfix"})
	if err != nil {
		t.Fatal(err)
	}
	// journalctl stops one line past the page: total 4 says more follow.
	if total != 4 || len(lines) != 2 || lines[0].N != 2 || !strings.Contains(lines[1].T, "Started chrony") {
		t.Fatalf("total %d lines %+v", total, lines)
	}
	rec.On([]string{"journalctl", "-o", "short", "--no-pager"}, host.Reply{})
	lines, total, _ = s.Syslog(ctx, SyslogQuery{})
	if total != 1 || len(lines) != 1 || lines[0] != (LogLine{N: 1, T: "no content"}) {
		t.Fatalf("empty: %d %+v", total, lines)
	}
	if got := rec.Calls(); got[0] != strings.Join(argv, " ") {
		t.Errorf("argv %q", got[0])
	}
}

func TestJournal(t *testing.T) {
	s, rec, dir := newTestService(t)
	os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
	os.WriteFile(filepath.Join(dir, "etc/timezone"), []byte("Europe/Vienna\n"), 0o644)
	rec.On([]string{"journalctl", "--no-pager", "-o", "json", "--after-cursor", "s=a1;i=0"},
		host.Reply{Stdout: string(golden.Read(t, "journalctl.json"))})
	got, err := s.Journal(context.Background(), JournalQuery{StartCursor: "s=a1;i=0", EndCursor: "s=a1;i=4"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"s=a1;i=1",
		"Nov 26 11:00:01 pve1 systemd[1]: Starting chrony.service - chrony, an NTP client/server...",
		"Nov 26 11:00:07 pve1 chronyd[812]: Selected source 192.0.2.123 (ntp1.example.com)",
		"-- Reboot --",
		"Nov 26 12:00:00 pve1 kernel: Linux version 6.8.12-4-pve",
		"s=a1;i=3",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s", strings.Join(got, "\n"))
	}
	if m := message([]byte("[68,101,118,255]")); m != "Dev\uFFFD" {
		t.Errorf("binary message %q", m)
	}
}

func TestChronyStatus(t *testing.T) {
	st, err := ParseChrony(golden.Read(t, "chronyc-sources.csv"), golden.Read(t, "chronyc-tracking.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Synced != 1 || st.Server != "192.0.2.123" || st.Stratum != 3 || st.Offset != -0.000001234 || len(st.Sources) != 3 {
		t.Fatalf("%+v", st)
	}
	if s := st.Sources[2]; s.State != "unreachable" || s.Reach != "0" || s.Mode != "server" {
		t.Errorf("source %+v", s)
	}
	ts := ParseTimesyncStatus(golden.Read(t, "timesync-status.txt"))
	if ts.Synced != 1 || ts.Server != "192.0.2.123" || ts.Stratum != 2 || ts.Offset != -0.00124 {
		t.Fatalf("%+v", ts)
	}
}

func TestServices(t *testing.T) {
	s, rec, _ := newTestService(t)
	ctx := context.Background()
	show := func(id string) []string { return []string{"systemctl", "show", "--property=" + showProps, id} }
	rec.On(show("chrony"), host.Reply{Stdout: string(golden.Read(t, "systemctl-show-chrony.txt"))})
	rec.On(show("corosync"), host.Reply{Stdout: string(golden.Read(t, "systemctl-show-missing.txt"))})
	list, err := s.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0]["state"] != "running" || list[0]["desc"] != "chrony, an NTP client/server" ||
		list[1]["unit-state"] != "not-found" {
		t.Fatalf("list %v", list)
	}
	if len(rec.Calls()) != len(ServiceIDs)+len(ExtraServiceIDs) {
		t.Errorf("asked %d units", len(rec.Calls()))
	}
	rec.On([]string{"systemctl", "try-reload-or-restart", "chrony"}, host.Reply{})
	var log bytes.Buffer
	if err := s.ServiceCommand(ctx, "chrony", "reload", &log); err != nil {
		t.Fatal(err)
	}
	if err := s.ServiceCommand(ctx, "pveproxy", "stop", &log); err != ErrEssential {
		t.Fatalf("stop pveproxy: %v", err)
	}
	calls := rec.Calls()
	if calls[len(calls)-1] != "systemctl try-reload-or-restart chrony" {
		t.Errorf("transcript %q", calls)
	}
}

func TestTimeWithoutSystemd(t *testing.T) {
	s, rec, dir := newTestService(t)
	ctx := context.Background()
	if err := s.SetTimezone(ctx, "Europe/Vienna"); err != nil {
		t.Fatal(err)
	}
	link, _ := os.Readlink(filepath.Join(dir, "etc/localtime"))
	tz, _ := os.ReadFile(filepath.Join(dir, "etc/timezone"))
	if link != "/usr/share/zoneinfo/Europe/Vienna" || string(tz) != "Europe/Vienna\n" {
		t.Fatalf("link %q timezone %q", link, tz)
	}
	info, err := s.Time(ctx)
	if err != nil || info.Timezone != "Europe/Vienna" || info.Localtime-info.Time != 3600 {
		t.Fatalf("%+v %v", info, err)
	}
	for _, bad := range []string{"Mars/Olympus", "../../etc/passwd", "Europe/Vienna\nx", "-f", ""} {
		if err := s.SetTimezone(ctx, bad); err != ErrNoSuchTimezone {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if len(rec.Calls()) != 0 {
		t.Errorf("ran %q", rec.Calls())
	}
}

func TestTimeWithSystemd(t *testing.T) {
	s, rec, dir := newTestService(t)
	os.MkdirAll(filepath.Join(dir, "run/systemd/system"), 0o755)
	rec.On([]string{"timedatectl", "list-timezones"}, host.Reply{Stdout: "Europe/Berlin\nUTC\n"})
	rec.On([]string{"timedatectl", "set-timezone", "UTC"}, host.Reply{})
	if err := s.SetTimezone(context.Background(), "UTC"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTimezone(context.Background(), "Europe/Vienna"); err != ErrNoSuchTimezone {
		t.Fatal(err)
	}
	want := []string{"timedatectl list-timezones", "timedatectl set-timezone UTC", "timedatectl list-timezones"}
	if !slices.Equal(rec.Calls(), want) {
		t.Errorf("transcript %q", rec.Calls())
	}
}
