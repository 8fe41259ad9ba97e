package export

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"hostadm/internal/metrics/wire"
)

// Health is what hostadm knows of one server's recent sending.
type Health struct {
	LastSuccess   time.Time
	LastError     time.Time
	Error         string // the text of the last error (kept after a success; Failing is the current state)
	Failing       bool
	PointsSent    uint64 // lines delivered
	PointsDropped uint64 // lines not delivered: send errors, oversize lines
	RoundsDropped uint64 // rounds dropped because the queue was full
	QueueDepth    int
}

// worker sends the rounds of one server, in order, from its own queue.
type worker struct {
	srv    Server
	log    *slog.Logger
	clock  func() time.Time
	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex // guards queue and health
	queue  []*Round
	max    int
	health Health
}

func newWorker(srv Server, queueLen int, h Health, log *slog.Logger, clock func() time.Time) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{srv: srv, log: log.With("metric-server", srv.ID), clock: clock,
		wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, done: make(chan struct{}),
		max: queueLen, health: h}
	go w.run()
	return w
}

// push queues a round without blocking, dropping the oldest when full.
func (w *worker) push(r *Round) {
	w.mu.Lock()
	if len(w.queue) >= w.max {
		n := len(w.queue) - w.max + 1
		w.queue = append(w.queue[:0], w.queue[n:]...)
		w.health.RoundsDropped += uint64(n)
	}
	w.queue = append(w.queue, r)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *worker) pop() *Round {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) == 0 {
		return nil
	}
	r := w.queue[0]
	w.queue[0] = nil
	w.queue = w.queue[1:]
	return r
}

// stop ends the worker, abandoning a send in progress, and waits for it.
func (w *worker) stop() {
	w.cancel()
	<-w.done
}

func (w *worker) snapshot() Health {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.health
	h.QueueDepth = len(w.queue)
	return h
}

func (w *worker) run() {
	defer close(w.done)
	tr, err := newTransport(w.srv)
	if err != nil {
		w.log.Error("metric server unusable", "err", err.Error())
		<-w.ctx.Done()
		return
	}
	defer tr.close()
	b := &wire.Batcher{Limit: w.srv.BatchSize()}
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.wake:
		}
		for r := w.pop(); r != nil && w.ctx.Err() == nil; r = w.pop() {
			w.sendRound(tr, b, r)
		}
	}
}

// sendRound encodes and sends one round. As in pvestatd, an error ends the
// round for this server; the next round tries again (reconnecting).
func (w *worker) sendRound(tr transport, b *wire.Batcher, r *Round) {
	b.Reset()
	b.Send = func(batch []byte) error { return tr.send(w.ctx, batch) }
	for i := range r.Objects {
		w.srv.encode(b, &r.Objects[i])
	}
	err := b.Flush()
	sent, dropped := b.Lines(), b.Dropped()
	if err != nil {
		// Lines of unsent batches are lost; Lines counts them as accepted.
		sent = 0
		dropped = b.Lines() + b.Dropped()
	}
	w.record(sent, dropped, err)
}

func (w *worker) record(sent, dropped int, err error) {
	now := w.clock()
	w.mu.Lock()
	defer w.mu.Unlock()
	h := &w.health
	h.PointsSent += uint64(sent)
	h.PointsDropped += uint64(dropped)
	if err != nil {
		h.LastError, h.Error = now, err.Error()
		if !h.Failing {
			w.log.Warn("metric server failing", "err", h.Error)
		}
		h.Failing = true
		return
	}
	h.LastSuccess = now
	if h.Failing {
		w.log.Info("metric server working again")
	}
	h.Failing = false
}
