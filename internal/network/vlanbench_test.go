package network

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vlanAwareFile is a VLAN-aware bridge carrying VLANs 2-4094 on 8 ports.
func vlanAwareFile() string {
	var b strings.Builder
	b.WriteString("auto lo\niface lo inet loopback\n\n")
	var ports []string
	for i := range 8 {
		fmt.Fprintf(&b, "iface eth%d inet manual\n\n", i)
		ports = append(ports, fmt.Sprintf("eth%d", i))
	}
	fmt.Fprintf(&b, "auto vmbr0\niface vmbr0 inet static\n\taddress 10.79.0.2/24\n\tbridge-ports %s\n"+
		"\tbridge-stp off\n\tbridge-fd 0\n\tbridge-vlan-aware yes\n\tbridge-vids 2-4094\n", strings.Join(ports, " "))
	return b.String()
}

// BenchmarkVLANAware8Ports applies a VLAN-aware bridge with bridge-vids
// 2-4094 on 8 ports. This kernel has no bridge VLAN filtering, so the
// native applier is measured up to its plan (native-plan: read the files
// and the kernel, plan; the ops metric counts the netlink operations it
// would carry out), and ifreload -a is measured doing what it can.
func BenchmarkVLANAware8Ports(b *testing.B) {
	veths := []string{"eth0", "eth1", "eth2", "eth3", "eth4", "eth5", "eth6", "eth7"}
	b.Run("native-plan", func(b *testing.B) {
		ns := newNS(b, veths...)
		svc, root := nsService(b, ns, ApplierNative)
		stageB(b, root, vlanAwareFile())
		var ops []Op
		for b.Loop() {
			var err error
			if ops, err = svc.PlanNative(); err != nil {
				b.Fatal(err)
			}
		}
		n := 0
		for _, op := range ops {
			if op.Do == "vids" {
				n++
			}
		}
		b.ReportMetric(float64(len(ops)), "ops")
		b.ReportMetric(float64(n), "vid-ops")
	})
	b.Run("ifupdown2", func(b *testing.B) {
		needIfupdown2(b)
		for b.Loop() {
			b.StopTimer()
			ns := newNS(b, veths...)
			svc, root := nsService(b, ns, ApplierIfUpDown2)
			stageB(b, root, vlanAwareFile())
			b.StartTimer()
			// without VLAN filtering ifreload reports errors; its time counts
			if err := svc.Apply(context.Background(), io.Discard); err != nil && b.N == 1 {
				b.Logf("ifreload: %v", err)
			}
		}
	})
}

func stageB(b *testing.B, root, content string) {
	if err := os.WriteFile(filepath.Join(root, "etc/network/interfaces.new"), []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
}
