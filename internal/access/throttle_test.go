package access

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestThrottleReservesBursts: 40 parallel attempts from one address admit
// no more than the limit, so a burst cannot run 40 password hashes.
func TestThrottleReservesBursts(t *testing.T) {
	th := newThrottle(10, 5*time.Minute)
	now := time.Now()
	var admitted atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if th.reserve("192.0.2.7", now) {
				admitted.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := admitted.Load(); n != 10 {
		t.Fatalf("admitted %d attempts, want 10", n)
	}
	for range 10 {
		th.done("192.0.2.7", true, now)
	}
	if th.allowed("192.0.2.7", now) {
		t.Error("allowed after 10 failures")
	}
	if !th.allowed("192.0.2.8", now) {
		t.Error("another address is throttled")
	}
	for i := range 10 {
		th.fail(fmt.Sprintf("2001:db8:1:2::%x", i+1), now)
	}
	if th.allowed("2001:db8:1:2:ffff::1", now) {
		t.Error("an IPv6 /64 is not throttled as one client")
	}
}
