package access

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestFairSlotsServeEveryClient: with one slot held and 20 checks of a
// flooding address waiting, a login from another address gets the next
// slot but one at the latest (the hash slots used to be one FIFO: it
// waited behind every attempt of the flood).
func TestFairSlotsServeEveryClient(t *testing.T) {
	f := newFairSlots(1, 1000)
	ctx := context.Background()
	hold, _ := f.acquire(ctx, "192.0.2.1")
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	start := func(client string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, ok := f.acquire(ctx, client)
			if !ok {
				t.Error("acquire failed")
				return
			}
			mu.Lock()
			order = append(order, client)
			mu.Unlock()
			release()
		}()
	}
	for range 20 {
		start("192.0.2.1")
	}
	time.Sleep(50 * time.Millisecond)
	start("2001:db8::1")
	start("2001:db8::2") // the same /64: one client
	time.Sleep(50 * time.Millisecond)
	hold()
	wg.Wait()
	first := -1
	for i, c := range order {
		if c != "192.0.2.1" {
			first = i
			break
		}
	}
	if first < 0 || first > 1 {
		t.Errorf("the other client got its turn at %d of %d: %q", first, len(order), order)
	}
	// A waiter that gives up leaves no trace.
	hold, _ = f.acquire(ctx, "192.0.2.1")
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, ok := f.acquire(cctx, "192.0.2.9"); ok {
		t.Error("acquired a held slot")
	}
	hold()
	if release, ok := f.acquire(ctx, "192.0.2.9"); !ok {
		t.Error("slot lost after a waiter gave up")
	} else {
		release()
	}
}

// TestFairSlotsRate: checks start at most rate per second overall.
func TestFairSlotsRate(t *testing.T) {
	f := newFairSlots(4, 20)
	start := time.Now()
	for i := range 10 {
		release, ok := f.acquire(context.Background(), "192.0.2."+string(rune('1'+i%4)))
		if !ok {
			t.Fatal("acquire failed")
		}
		release()
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("10 checks started within %v at 20/s", d)
	}
}
