package metrics

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"hostadm/internal/hostcfg/golden"
	"hostadm/internal/metrics/wire"
)

// roundFiles is a full node: the captured VM files plus KSM, ZFS and PSI.
func roundFiles(t testing.TB) map[string][]byte {
	files := hostFiles(t)
	files[pathKSMSharing] = []byte("3\n")
	files[pathNetDev] = golden.Read(t, "netdev.vm-amd64")
	files[pathARCStats] = golden.Read(t, "arcstats.zfs")
	files[pathPSICPU] = golden.Read(t, "pressure-cpu.vm-amd64")
	files[pathPSIIO] = golden.Read(t, "pressure-io.vm-amd64")
	return files
}

// testVFS is an ext4-like root: 4 KiB blocks, 5 % reserved for root.
func testVFS(string) (VFSStat, error) {
	return VFSStat{Frsize: 4096, Blocks: 256000, Bfree: 102400, Bavail: 89600,
		Files: 65536, Ffree: 60000, Favail: 60000}, nil
}

// newRoundNode is a Node over roundFiles whose clock reads
// 1795715500.25 s.
func newRoundNode(t testing.TB) *Node {
	root := newRoot(t, roundFiles(t))
	return NewNode(NodeConfig{
		Root:    root,
		StatVFS: testVFS,
		Clock:   func() time.Time { return time.Unix(1795715500, 250_000_000) },
	})
}

// TestNodeObjectGolden is one fixture round through both encoders. The
// expected lines were checked by hand against ProcFSTools.pm,
// Filesys::Df, Graphite.pm and InfluxDB.pm (see testdata/README.md).
func TestNodeObjectGolden(t *testing.T) {
	n := newRoundNode(t)
	s, err := n.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	o := NodeObject("pve1", &s)
	var g, in wire.Batcher
	wire.EncodeGraphite(&g, "", &o)
	wire.EncodeInflux(&in, &o)
	golden.File(t, "testdata/node-round.graphite", g.Bytes())
	golden.File(t, "testdata/node-round.influx", in.Bytes())
}

func TestBlockstat(t *testing.T) {
	get := func(fs []wire.Field) map[string]int64 {
		m := map[string]int64{}
		for _, f := range fs {
			m[f.Key] = f.Int
		}
		return m
	}
	t.Run("reserve", func(t *testing.T) {
		v, _ := testVFS("/")
		m := get(blockstatFields(v))
		// user_blocks = blocks − (bfree − bavail); per = user_used / user_blocks.
		ub := int64(256000-(102400-89600)) * 4096
		if m["user_blocks"] != ub || m["user_used"] != ub-89600*4096 || m["per"] != 63 || m["fper"] != 8 {
			t.Errorf("blockstat = %v", m)
		}
	})
	t.Run("empty without reserve", func(t *testing.T) {
		m := get(blockstatFields(VFSStat{Frsize: 1, Blocks: 10, Bfree: 10, Bavail: 10}))
		if _, ok := m["user_blocks"]; ok || m["per"] != 0 || m["used"] != 0 {
			t.Errorf("blockstat = %v", m)
		}
		if _, ok := m["files"]; ok {
			t.Error("inode keys without inodes")
		}
	})
	t.Run("no blocks", func(t *testing.T) {
		if blockstatFields(VFSStat{Frsize: 4096}) != nil {
			t.Error("blockstat for a file system without blocks")
		}
	})
}

// TestNodeObjectRealProc collects once from this machine's /proc and
// checks that both encodings are well-formed.
func TestNodeObjectRealProc(t *testing.T) {
	n := NewNode(NodeConfig{Root: mustRoot(t, "/")})
	s, err := n.Sample(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	o := NodeObject("real", &s)
	var g, in wire.Batcher
	wire.EncodeGraphite(&g, "", &o)
	wire.EncodeInflux(&in, &o)
	for _, want := range []string{"proxmox.nodes.real.memory.memtotal ", "proxmox.nodes.real.cpustat.cpus ", "proxmox.nodes.real.blockstat.blocks "} {
		if !bytes.Contains(g.Bytes(), []byte(want)) {
			t.Errorf("graphite lacks %q", want)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(string(g.Bytes())), "\n") {
		if f := strings.Fields(l); len(f) != 3 {
			t.Errorf("graphite line %q", l)
		}
	}
	if !bytes.HasPrefix(in.Bytes(), []byte("blockstat,object=nodes,host=real ")) {
		t.Errorf("influx starts %.60q", in.Bytes())
	}
}
