package acme_test

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hostadm/internal/acme/acmetest"
)

// TestACMEDNS01 orders a wildcard, a plain name and an aliased name with
// Proxmox's nsupdate plugin, which hostadm maps to lego's RFC 2136
// provider: BIND takes the TSIG-signed updates, Pebble resolves through
// it. Each challenge record must appear in the zone and be gone after.
func TestACMEDNS01(t *testing.T) {
	e := startACME(t, 0)
	e.register(t)
	data := "NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=" + strconv.Itoa(e.bind.Port) +
		"\nNSUPDATE_KEY=" + e.bind.KeyFile + "\n"
	e.MustOK(e.root, "POST", "/cluster/acme/plugins", url.Values{"id": {"bind"}, "type": {"dns"},
		"api": {"nsupdate"}, "data": {base64.StdEncoding.EncodeToString([]byte(data))}, "validation-delay": {"0"}})
	got := e.MustOK(e.root, "GET", "/cluster/acme/plugins/bind", nil).Data.(map[string]any)
	if got["data"] != data || got["api"] != "nsupdate" {
		t.Fatalf("plugin as read back: %v", got)
	}
	z := acmetest.Zone
	e.MustOK(e.root, "PUT", "/nodes/"+node+"/config", url.Values{
		"acmedomain0": {"*." + z + ",plugin=bind"},
		"acmedomain1": {"domain=dns." + z + ",plugin=bind"},
		"acmedomain2": {"domain=aliased." + z + ",plugin=bind,alias=target." + z},
	})
	for _, c := range e.MustOK(e.root, "GET", "/nodes/"+node+"/certificates/acme/preflight", nil).Data.([]any) {
		if m := c.(map[string]any); m["status"] != "ok" {
			t.Errorf("preflight %v", m)
		}
	}
	names := []string{"_acme-challenge." + z, "_acme-challenge.dns." + z, "_acme-challenge.target." + z}
	w := watchTXT(e.bind, names)
	log := e.mustTask(t, e.Do(e.root, "POST", "/nodes/"+node+"/certificates/acme/certificate", nil))
	seen := w.stop()
	for _, n := range names {
		if !seen[n] {
			t.Errorf("TXT record %s never appeared; log:\n%s", n, log)
		}
		if vals, err := e.bind.TXT(n); err != nil || len(vals) != 0 {
			t.Errorf("TXT %s left in the zone: %v %v", n, vals, err)
		}
	}
	if !strings.Contains(log, "adding TXT record _acme-challenge.target."+z) {
		t.Errorf("alias not used:\n%s", log)
	}
	e.servedMatchesInfo(t, "*."+z)
}

// txtWatch polls the zone for TXT records until stopped.
type txtWatch struct {
	mu   sync.Mutex
	seen map[string]bool
	done chan struct{}
	wg   sync.WaitGroup
}

func watchTXT(b *acmetest.Bind, names []string) *txtWatch {
	w := &txtWatch{seen: map[string]bool{}, done: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			for _, n := range names {
				if vals, err := b.TXT(n); err == nil && len(vals) > 0 {
					w.mu.Lock()
					w.seen[n] = true
					w.mu.Unlock()
				}
			}
			select {
			case <-w.done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return w
}

func (w *txtWatch) stop() map[string]bool {
	close(w.done)
	w.wg.Wait()
	return w.seen
}
