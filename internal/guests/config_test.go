package guests

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hostadm/internal/guests/vmconf"
	"hostadm/internal/schema"
)

func TestCreateUpdateBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create(100, "name", "ok", "memory", "64", "startup", "order=1,up=2,down=3", "tags", "a;b")
	before := e.confBytes(100)
	cases := []struct {
		name  string
		ch    Change
		param string
		msg   string
	}{
		{"unknown key", Change{Set: map[string]string{"frobnicate": "1"}}, "frobnicate", "not supported by hostadm"},
		{"args", Change{Set: map[string]string{"args": "-device foo"}}, "args", "option 'args' is not supported by hostadm"},
		{"net", Change{Set: map[string]string{"net0": "virtio,bridge=vmbr0"}}, "net0", "not supported by hostadm"},
		{"disk", Change{Set: map[string]string{"scsi0": "local-lvm:1"}}, "scsi0", "not supported by hostadm"},
		{"memory low", Change{Set: map[string]string{"memory": "8"}}, "memory", "minimum value of 16"},
		{"balloon high", Change{Set: map[string]string{"balloon": "128"}}, "balloon", "balloon value too large"},
		{"startup", Change{Set: map[string]string{"startup": "order=x"}}, "startup", "valid startup order"},
		{"shares", Change{Set: map[string]string{"shares": "50001"}}, "shares", "maximum value of 50000"},
		{"cpu opts", Change{Set: map[string]string{"cpu": "host,flags=+aes"}}, "cpu", "not supported by hostadm"},
		{"machine", Change{Set: map[string]string{"machine": "microvm"}}, "machine", "not supported by hostadm"},
		{"delete unsupported", Change{Delete: []string{"net0"}}, "net0", "not supported by hostadm"},
		{"name", Change{Set: map[string]string{"name": "bad name"}}, "name", "valid DNS name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := e.svc.Update(ctx, 100, c.ch)
			var pe schema.ParamError
			if !errors.As(err, &pe) || !strings.Contains(pe[c.param], c.msg) {
				t.Fatalf("got %v, want %s: ...%s...", err, c.param, c.msg)
			}
			if got := e.confBytes(100); got != before {
				t.Errorf("config changed:\n%s", got)
			}
		})
	}
	if err := e.svc.Create(ctx, 100, map[string]string{"memory": "32"}); err == nil || !strings.Contains(err.Error(), "VM 100 already exists on node 'gnode'") {
		t.Errorf("create over an existing VMID: %v", err)
	}
	if err := e.svc.Update(ctx, 100, Change{Set: map[string]string{"memory": "128"}, Digest: strings.Repeat("0", 40)}); err == nil {
		t.Error("stale digest accepted")
	}
	l, _ := e.svc.Load(ctx, 100)
	if err := e.svc.Update(ctx, 100, Change{Set: map[string]string{"memory": "128", "description": "line 1\nline: 2"}, Delete: []string{"tags"}, Digest: l.Digest}); err != nil {
		t.Fatal(err)
	}
	got := e.confBytes(100)
	for _, want := range []string{"#line 1\n#line%3A 2\n", "memory: 128\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "tags:") {
		t.Errorf("tags not deleted:\n%s", got)
	}
	l, _ = e.svc.Load(ctx, 100)
	m := ConfigMap(l)
	if m["memory"] != "128" || m["description"] != "line 1\nline: 2\n" || m["digest"] != l.Digest {
		t.Errorf("config map %v", m)
	}
	if id, _ := e.svc.NextID(ctx); id != 101 {
		t.Errorf("next id %d", id)
	}
	if err := e.svc.Destroy(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Load(ctx, 100); !errors.Is(err, ErrNoVM) {
		t.Errorf("load after destroy: %v", err)
	}
}

func TestStartRefusesUnsupportedConfig(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// A config written by Proxmox (disks, NICs) stays readable but never starts.
	c, _ := vmconf.Parse(strings.NewReader("memory: 64\nnet0: virtio=BC:24:11:00:00:01,bridge=vmbr0\n"))
	if _, err := e.store.Put(ctx, ConfPath(testNode, 120), c.Bytes(), 0); err != nil {
		t.Fatal(err)
	}
	err := e.svc.Start(ctx, 120, nil)
	if err == nil || !strings.Contains(err.Error(), "option 'net0' is not supported by hostadm") {
		t.Fatalf("start: %v", err)
	}
	if e.svc.Running(120) != nil {
		t.Fatal("VM started")
	}
}

func TestArgv(t *testing.T) {
	e := newEnv(t)
	st := Settings{Name: "web", MemoryMiB: 64, BalloonMiB: 32, Cores: 2, Sockets: 1, CPU: "host"}
	got := strings.Join(e.svc.Argv(105, st, "tcp:127.0.0.1:60000"), " ")
	for _, want := range []string{"-name guest=web,debug-threads=on", "-qmp unix:" + e.dir + "/var/run/qemu-server/105.qmp,server=on,wait=off",
		"-pidfile " + e.dir + "/var/run/qemu-server/105.pid", "-machine type=pc,accel=tcg", "-cpu qemu64", "-m 64",
		"-smp 2,sockets=1,cores=2,maxcpus=2", "-device virtio-balloon-pci,id=balloon0", "-S -incoming defer", "-nodefaults"} {
		if !strings.Contains(got, want) {
			t.Errorf("argv lacks %q: %s", want, got)
		}
	}
	st.BalloonMiB = 0
	if got := strings.Join(e.svc.Argv(105, st, ""), " "); strings.Contains(got, "balloon") || strings.Contains(got, "-incoming") {
		t.Errorf("argv: %s", got)
	}
}

func TestBalloonTargets(t *testing.T) {
	const mib = 1 << 20
	vms := []BalloonVM{
		{VMID: 1, Cur: 1024 * mib, Min: 256 * mib, Max: 1024 * mib, Shares: 1000},
		{VMID: 2, Cur: 1024 * mib, Min: 256 * mib, Max: 1024 * mib, Shares: 3000},
	}
	// 8 GiB host, 90 % used, target 80 %: 819.2 MiB must go.
	total := int64(8192 * mib)
	got := BalloonTargets(total, total*90/100, 80, vms)
	free := int64(2048*mib) - (total*90/100 - total*80/100) - 512*mib // above the minimums
	want1, want2 := 256*mib+free/4, 256*mib+free*3/4
	if abs(got[1]-want1) > mib || abs(got[2]-want2) > mib {
		t.Errorf("shrink: %v, want 1:%d 2:%d", got, want1, want2)
	}
	if got[1] >= vms[0].Cur || got[2] >= vms[1].Cur || got[1] >= got[2] {
		t.Errorf("shrink should lower both, VM 1 (fewer shares) more: %v", got)
	}
	// Far over target: nobody goes below the minimum.
	got = BalloonTargets(total, total, 10, vms)
	if got[1] != 256*mib || got[2] != 256*mib {
		t.Errorf("floor: %v", got)
	}
	// Room again: balloons grow back, capped at the maximum.
	small := []BalloonVM{{VMID: 1, Cur: 300 * mib, Min: 256 * mib, Max: 1024 * mib, Shares: 1000},
		{VMID: 2, Cur: 1000 * mib, Min: 256 * mib, Max: 1024 * mib, Shares: 3000}}
	got = BalloonTargets(total, total*20/100, 80, small)
	if got[1] != 1024*mib || got[2] != 1024*mib {
		t.Errorf("grow: %v", got)
	}
	// Below target and at the maximum: nothing to do.
	if got := BalloonTargets(total, total/2, 80, []BalloonVM{{VMID: 1, Cur: 1024 * mib, Min: 256 * mib, Max: 1024 * mib, Shares: 1}}); len(got) != 0 {
		t.Errorf("no-op round changed %v", got)
	}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func (e *env) confBytes(vmid int) string {
	e.t.Helper()
	en, err := e.store.Get(context.Background(), ConfPath(testNode, vmid))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(en.Data)
}
