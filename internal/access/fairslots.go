package access

import (
	"context"
	"sync"
	"time"
)

// fairSlots hands out the few password-hash slots in turn by client (an
// IPv4 address or an IPv6 /64, as throttleKey groups them): when slots
// are short, the next one goes to the next client with a waiter, round
// robin, so a flood from many connections of a few addresses, or of many
// addresses, cannot keep a real login waiting behind all of its attempts.
// Beside the turns, checks start at most rate per second overall, which
// bounds the CPU and memory a login flood takes from everything else.
type fairSlots struct {
	mu     sync.Mutex
	free   int
	queues map[string][]chan struct{}
	order  []string // clients with waiters, in turn order

	interval time.Duration // between check starts (1/rate)
	next     time.Time     // when the next check may start
}

func newFairSlots(n int, rate int) *fairSlots {
	return &fairSlots{free: n, queues: map[string][]chan struct{}{}, interval: time.Second / time.Duration(rate)}
}

// acquire waits for a slot for client and for the global rate; it returns
// the release, or false when ctx ended first.
func (f *fairSlots) acquire(ctx context.Context, client string) (func(), bool) {
	client = throttleKey(client)
	f.mu.Lock()
	if f.free > 0 && len(f.order) == 0 {
		f.free--
		wait := f.pace()
		f.mu.Unlock()
		return f.afterPace(ctx, wait)
	}
	ch := make(chan struct{})
	if len(f.queues[client]) == 0 {
		f.order = append(f.order, client)
	}
	f.queues[client] = append(f.queues[client], ch)
	f.mu.Unlock()
	select {
	case <-ch:
		f.mu.Lock()
		wait := f.pace()
		f.mu.Unlock()
		return f.afterPace(ctx, wait)
	case <-ctx.Done():
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.drop(client, ch) {
			return nil, false
		}
		// Granted meanwhile: pass the slot on.
		f.releaseLocked()
		return nil, false
	}
}

// pace reserves the next start time under the global rate and returns
// how long to wait for it; callers hold f.mu.
func (f *fairSlots) pace() time.Duration {
	now := time.Now()
	if f.next.Before(now) {
		f.next = now
	}
	wait := f.next.Sub(now)
	f.next = f.next.Add(f.interval)
	return wait
}

func (f *fairSlots) afterPace(ctx context.Context, wait time.Duration) (func(), bool) {
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			f.release()
			return nil, false
		}
	}
	return sync.OnceFunc(f.release), true
}

// drop removes a waiter that gave up; false when it was already granted.
func (f *fairSlots) drop(client string, ch chan struct{}) bool {
	q := f.queues[client]
	for i, c := range q {
		if c == ch {
			f.queues[client] = append(q[:i:i], q[i+1:]...)
			if len(f.queues[client]) == 0 {
				delete(f.queues, client)
				for j, o := range f.order {
					if o == client {
						f.order = append(f.order[:j:j], f.order[j+1:]...)
						break
					}
				}
			}
			return true
		}
	}
	return false
}

func (f *fairSlots) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.releaseLocked()
}

// releaseLocked gives the slot to the first waiter of the next client in
// turn, or frees it.
func (f *fairSlots) releaseLocked() {
	if len(f.order) == 0 {
		f.free++
		return
	}
	client := f.order[0]
	f.order = f.order[1:]
	q := f.queues[client]
	ch := q[0]
	if len(q) > 1 {
		f.queues[client] = q[1:]
		f.order = append(f.order, client)
	} else {
		delete(f.queues, client)
	}
	close(ch)
}
