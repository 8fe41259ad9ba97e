package daemon

import (
	"net/netip"
	"testing"
	"time"
)

// TestConnRatePerAddress: a client opens up to a burst of connections at
// once and then ConnRate a second; beyond that its connections are
// refused before TLS (closing them does not give the allowance back),
// while another client is admitted. Clients whose allowance is full again
// are forgotten.
func TestConnRatePerAddress(t *testing.T) {
	l := newLimitListener(nil, 100000, 100000, 16)
	now := time.Unix(1e9, 0)
	l.now = func() time.Time { return now }
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for i := range defaultConnBurst {
		if !l.admit(a) {
			t.Fatalf("connection %d of the burst refused", i+1)
		}
		l.leave(a)
	}
	if l.admit(a) {
		t.Fatal("connection beyond the burst admitted")
	}
	if !l.admit(b) {
		t.Fatal("another client refused")
	}
	now = now.Add(time.Second)
	got := 0
	for l.admit(a) {
		l.leave(a)
		if got++; got > 100 {
			break
		}
	}
	if got != 16 {
		t.Errorf("a second later %d connections admitted, want 16", got)
	}
	// A long quiet time later, a sweep forgets both clients.
	now = now.Add(time.Hour)
	l.sweep(now)
	if len(l.buckets) != 0 {
		t.Errorf("%d clients remembered after an hour, want 0", len(l.buckets))
	}
}
