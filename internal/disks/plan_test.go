package disks_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hostadm/internal/disks"
	"hostadm/internal/disks/disktest"
	"hostadm/internal/host"
)

// TestPlanExecute runs a plan through the runner's transcript: a learnt
// value fills a later command and a file, a step whose condition does not
// hold is left out, a failing optional step only warns, and when a step
// fails the steps done before it are taken back, newest first. Shown
// before it runs, the plan has "<name>" where it learns a value.
func TestPlanExecute(t *testing.T) {
	dir := t.TempDir()
	root, err := host.NewRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := host.NewRecorder()
	rec.On([]string{"blkid", "/dev/sdx1", "-o", "export"}, host.Reply{Stdout: "DEVNAME=/dev/sdx1\nUUID=1234-abcd\n"})
	rec.On([]string{"mkfs", "-t", "ext4", "/dev/sdx1"}, host.Reply{})
	rec.On([]string{"tune", "1234-abcd"}, host.Reply{ExitCode: 1})
	d := disks.New(disks.Config{Root: root, Runner: rec})
	checked := 0
	var undone []string
	build := func(last []string) *disks.Plan {
		p := disks.NewPlan([]string{"/dev/sdx"}, func(context.Context) error { checked++; return nil })
		p.Run("Make the file system", "mkfs", "-t", "ext4", "/dev/sdx1").Undo(func(context.Context, disks.Log) { undone = append(undone, "mkfs") })
		p.Run("Never", "false").Only("never", func() bool { return false })
		p.Run("Read the UUID", "blkid", "/dev/sdx1", "-o", "export").Learn(func(v disks.Vars, out []byte) error {
			v["uuid"] = strings.TrimPrefix(strings.Split(strings.TrimSpace(string(out)), "\n")[1], "UUID=")
			return nil
		})
		p.Write("Write the unit", "/etc/x.unit", func(v disks.Vars) ([]byte, error) { return []byte("What=" + v.Get("uuid") + "\n"), nil }).
			Undo(func(context.Context, disks.Log) { undone = append(undone, "unit") })
		p.RunVars("Tune it", func(v disks.Vars) []string { return []string{"tune", v.Get("uuid")} }).WarnOnly()
		p.Run("Last", last...).Wrap(func(err error) error { return errors.New("last step: " + err.Error()) })
		return p
	}

	p := build([]string{"mkfs", "-t", "ext4", "/dev/sdx1"})
	shown, _ := json.Marshal(p)
	for _, want := range []string{`"cmd":["tune","\u003cuuid\u003e"]`, `"content":"What=\u003cuuid\u003e\n"`, `"when":"never"`, `"optional":1`} {
		if !strings.Contains(string(shown), want) {
			t.Errorf("plan lacks %s: %s", want, shown)
		}
	}
	var log disktest.Log
	if err := d.Execute(t.Context(), &log, p); err != nil {
		t.Fatal(err)
	}
	want := "mkfs -t ext4 /dev/sdx1\nblkid /dev/sdx1 -o export\ntune 1234-abcd\nmkfs -t ext4 /dev/sdx1"
	if got := strings.Join(rec.Calls(), "\n"); got != want || checked != 1 || len(undone) != 0 {
		t.Errorf("ran\n%s\nchecked %d, undone %v", got, checked, undone)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "etc/x.unit")); string(b) != "What=1234-abcd\n" {
		t.Errorf("unit %q", b)
	}
	if !strings.Contains(log.String(), "tune") {
		t.Errorf("the failed optional step was not warned:\n%s", log.String())
	}

	err = d.Execute(t.Context(), &log, build([]string{"unrecorded"}))
	if err == nil || !strings.HasPrefix(err.Error(), "last step: ") || strings.Join(undone, ",") != "unit,mkfs" {
		t.Errorf("failing plan: %v, undone %v", err, undone)
	}
}
