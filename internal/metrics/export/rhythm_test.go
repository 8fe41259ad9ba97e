package export

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// bucketCounter is an InfluxDB write endpoint counting the writes per
// bucket; one server stands for many metric servers that way.
type bucketCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *bucketCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.n[r.URL.Query().Get("bucket")]++
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (c *bucketCounter) all(want int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.n {
		if n != want {
			return false
		}
	}
	return true
}

// TestRhythmWith200Servers configures 200 metric servers, one of which
// never answers, and publishes ten rounds while that one still holds its
// first. The collection loop hands each round to Publish and goes back to
// its ticker; the test shows by the counts, not by timing, that nothing
// waits for the dead server: every Publish returns, the 199 others get
// all ten rounds, none dropped, while the dead one's first send is still
// open, and the dead one fell behind by exactly its queue (6 rounds kept,
// 3 dropped).
func TestRhythmWith200Servers(t *testing.T) {
	counter := &bucketCounter{n: map[string]int{}}
	good := httpServer(t, counter)
	arrived := make(chan struct{}, 1)
	hang := make(chan struct{})
	dead := httpServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer close(hang)
	dead.ID, dead.Timeout = "dead", time.Hour
	servers := []Server{dead}
	for i := range 199 {
		s := good
		s.ID, s.Bucket, s.Timeout = fmt.Sprintf("ok%d", i), fmt.Sprintf("b%d", i), time.Minute
		counter.n[s.Bucket] = 0
		servers = append(servers, s)
	}
	m := NewManager(Config{QueueLen: DefaultQueueLen})
	defer m.Close()
	m.Apply(servers)

	// A round is published once the healthy servers have the previous one,
	// as the 10-second rhythm leaves them time to.
	waitAll := func(n int) {
		for deadline := time.Now().Add(2 * time.Minute); !counter.all(n); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				counter.mu.Lock()
				defer counter.mu.Unlock()
				t.Fatalf("the healthy servers did not get round %d: %v", n, counter.n)
			}
		}
	}
	m.Publish(testRound(1718000000, 4))
	<-arrived // the dead server holds round 1 from now on
	for i := 1; i < 10; i++ {
		waitAll(i)
		m.Publish(testRound(int64(1718000000+10*i), 4))
	}
	waitAll(10)
	h := m.Health()["dead"]
	if h.QueueDepth != DefaultQueueLen || h.RoundsDropped != 10-1-DefaultQueueLen || h.PointsSent != 0 {
		t.Errorf("dead server = %+v; want %d queued, %d dropped, none sent", h, DefaultQueueLen, 10-1-DefaultQueueLen)
	}
	for id, h := range m.Health() {
		if id != "dead" && (h.RoundsDropped != 0 || h.Failing) {
			t.Errorf("%s = %+v", id, h)
		}
	}
}
