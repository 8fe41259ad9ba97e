package network

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const mgmtFile = `auto lo
iface lo inet loopback

iface eth0 inet manual

auto vmbr0
iface vmbr0 inet static
	address 10.210.0.2/24
	gateway 10.210.0.1
	bridge-ports eth0
	bridge-stp off
	bridge-fd 0
`

// TestApplyWithRollback removes the management address with a short
// rollback timeout: without confirmation the old file and kernel state
// come back; confirmed in time, the new state stays.
func TestApplyWithRollback(t *testing.T) {
	for _, applier := range []string{ApplierNative, ApplierIfUpDown2} {
		t.Run(applier, func(t *testing.T) {
			if applier == ApplierIfUpDown2 {
				needIfupdown2(t)
			}
			ns := newNS(t, "eth0")
			svc, root := nsService(t, ns, applier)
			live := filepath.Join(root, "etc/network/interfaces")
			stage(t, root, mgmtFile)
			if err := svc.Apply(context.Background(), io.Discard); err != nil {
				t.Fatal(err)
			}
			good, _ := kernelView(t, ns)
			cut := strings.Replace(mgmtFile, "\taddress 10.210.0.2/24\n\tgateway 10.210.0.1\n", "", 1)
			cut = strings.Replace(cut, "inet static", "inet manual", 1)
			sync := func(fn func(context.Context, io.Writer) error) error {
				if err := fn(context.Background(), io.Discard); err != nil {
					t.Errorf("rollback: %v", err)
				}
				return nil
			}

			stage(t, root, cut)
			err := svc.CheckReachable(netip.MustParseAddr("10.210.0.2"))
			if err == nil || !strings.Contains(err.Error(), "drops 10.210.0.2, the address this request came in on") {
				t.Errorf("reachability check: %v", err)
			}
			var log bytes.Buffer
			if err := svc.ApplyWithRollback(context.Background(), &log, 300*time.Millisecond, sync); err != nil {
				t.Fatal(err)
			}
			if v, _ := kernelView(t, ns); len(v["vmbr0"].Addrs) != 0 {
				t.Errorf("address still there after apply: %v", v["vmbr0"].Addrs)
			}
			svc.WaitRollback()
			back, _ := kernelView(t, ns)
			if diff := cmp.Diff(good, back); diff != "" {
				t.Errorf("kernel state not restored:\n%s", diff)
			}
			if b, _ := os.ReadFile(live); string(b) != mgmtFile {
				t.Errorf("live file not restored:\n%s", b)
			}
			if err := svc.Confirm(); err != ErrNothingToConfirm {
				t.Errorf("confirm after rollback: %v", err)
			}

			stage(t, root, cut)
			if err := svc.ApplyWithRollback(context.Background(), io.Discard, 700*time.Millisecond, sync); err != nil {
				t.Fatal(err)
			}
			if err := svc.ApplyWithRollback(context.Background(), io.Discard, time.Second, sync); err != ErrRollbackPending {
				t.Errorf("second apply while pending: %v", err)
			}
			if err := svc.Confirm(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Second)
			if v, _ := kernelView(t, ns); len(v["vmbr0"].Addrs) != 0 {
				t.Errorf("confirmed change was rolled back: %v", v["vmbr0"].Addrs)
			}
			if b, _ := os.ReadFile(live); string(b) != cut {
				t.Errorf("live file:\n%s", b)
			}
		})
	}
}
