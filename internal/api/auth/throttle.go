package auth

import (
	"sync"
	"time"
)

// throttle counts failed logins per remote address in a sliding window.
// The table is bounded: addresses whose failures all aged out are dropped
// when it grows past maxAddrs, and when every entry is live the oldest
// half is forgotten (an attacker rotating addresses gains nothing from it
// that rotation did not already give).
type throttle struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	addrs  map[string][]time.Time
}

const maxAddrs = 10000

func newThrottle(limit int, window time.Duration) throttle {
	return throttle{limit: limit, window: window, addrs: map[string][]time.Time{}}
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
	return len(t.recent(addr, now)) < t.limit
}

func (t *throttle) fail(addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
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
