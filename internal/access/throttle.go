package access

import (
	"net/netip"
	"sync"
	"time"
)

// throttle counts failed logins per remote address in a sliding window.
// The table is bounded: addresses whose failures all aged out are dropped
// when it grows past maxAddrs, and when every entry is live the oldest
// half is forgotten (an attacker rotating addresses gains nothing from it
// that rotation did not already give).
//
// Attempts in flight count against the limit too (reserve), so a burst of
// parallel logins cannot run more password checks than the limit allows
// before the first failures are recorded.
type throttle struct {
	mu       sync.Mutex
	limit    int
	window   time.Duration
	addrs    map[string][]time.Time
	inflight map[string]int
}

const maxAddrs = 10000

func newThrottle(limit int, window time.Duration) throttle {
	return throttle{limit: limit, window: window, addrs: map[string][]time.Time{}, inflight: map[string]int{}}
}

func (t *throttle) recent(addr string, now time.Time) []time.Time {
	l := t.addrs[addr]
	i := 0
	for i < len(l) && now.Sub(l[i]) >= t.window {
		i++
	}
	return l[i:]
}

func (t *throttle) allowed(addr string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	addr = throttleKey(addr)
	return len(t.recent(addr, now))+t.inflight[addr] < t.limit
}

// reserve admits one attempt from addr, or refuses when its recent
// failures plus the attempts in flight reach the limit. Every admitted
// attempt ends with done.
func (t *throttle) reserve(addr string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	addr = throttleKey(addr)
	if len(t.recent(addr, now))+t.inflight[addr] >= t.limit {
		return false
	}
	t.inflight[addr]++
	return true
}

// done ends an attempt admitted by reserve, recording it when it failed.
func (t *throttle) done(addr string, failed bool, now time.Time) {
	t.mu.Lock()
	key := throttleKey(addr)
	if t.inflight[key]--; t.inflight[key] <= 0 {
		delete(t.inflight, key)
	}
	t.mu.Unlock()
	if failed {
		t.fail(addr, now)
	}
}

// throttleKey groups IPv6 clients by their /64, which one host usually
// owns whole; IPv4 addresses stand alone.
func throttleKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Is4In6() {
		return addr
	}
	p, err := a.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

func (t *throttle) fail(addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	addr = throttleKey(addr)
	if len(t.addrs) >= maxAddrs {
		for a := range t.addrs {
			if len(t.recent(a, now)) == 0 || len(t.addrs) >= maxAddrs {
				delete(t.addrs, a)
			}
			if len(t.addrs) < maxAddrs/2 {
				break
			}
		}
	}
	l := append(t.recent(addr, now), now)
	if len(l) > t.limit {
		l = l[len(l)-t.limit:]
	}
	t.addrs[addr] = l
}

// LoginAllowed is false while remoteAddr has 10 or more failed logins in
// the last five minutes.
func (s *Service) LoginAllowed(remoteAddr string) bool {
	return s.fails.allowed(remoteAddr, s.now())
}
