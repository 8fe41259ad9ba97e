package cfs

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMemberServesEtcdMetrics checks that a running member's /metrics
// still carries the collectors etcd's packages register at init, which
// hostadm holds back until a member starts (promdefer): the storage
// engine's database size comes from such a package.
func TestMemberServesEtcdMetrics(t *testing.T) {
	m := startTestMember(t, t.TempDir())
	resp, err := http.Get(m.ClientURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"etcd_mvcc_db_total_size_in_bytes", "etcd_server_has_leader"} {
		if !strings.Contains(string(body), "\n"+name+" ") {
			t.Errorf("/metrics lacks %s (status %s, %d bytes)", name, resp.Status, len(body))
		}
	}
}
