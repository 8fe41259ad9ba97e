package history

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// HostJournal is the host.Journal that records host file changes.
func (h *History) HostJournal() *Journal { return &Journal{h: h} }

// Journal records the writes to host files and notices files changed
// outside hostadm when they are read again.
type Journal struct{ h *History }

// Records tells which host files are configuration worth recording: those
// under /etc. Caches, stamps and state under /var and /run are not.
func (j *Journal) Records(path string) bool { return strings.HasPrefix(path, "/etc/") }

// Wrote records a write through hostadm (Root asks Records first).
func (j *Journal) Wrote(ctx context.Context, path string, before, after []byte) {
	if after == nil {
		after = []byte{}
	}
	if bytes.Equal(before, after) && before != nil {
		j.remember(path, after)
		return
	}
	j.noticeOutside(path, before)
	j.h.record(ctx, KindHost, path, ActionWrite, before, after, 0)
	j.remember(path, after)
}

// Read compares what hostadm read with what it last knew of the file and
// records a difference as a change made outside hostadm.
func (j *Journal) Read(path string, data []byte) {
	j.noticeOutside(path, data)
}

func (j *Journal) remember(path string, data []byte) {
	s := sha256.Sum256(data)
	j.h.mu.Lock()
	j.h.last[path] = hex.EncodeToString(s[:])
	j.h.mu.Unlock()
}

// noticeOutside records a change outside hostadm when current differs from
// the content hostadm last wrote or read. Only files hostadm has written
// are watched; the first read of another file just remembers it.
func (j *Journal) noticeOutside(path string, current []byte) {
	s := sha256.Sum256(current)
	sum := hex.EncodeToString(s[:])
	j.h.mu.Lock()
	known, ok := j.h.last[path]
	j.h.mu.Unlock()
	if ok && known == sum {
		return
	}
	var lastAfter []byte
	var lastSum string
	var hasAfter bool
	err := j.h.db.QueryRow(`SELECT after, after_sum, after_present FROM changes WHERE kind = ? AND path = ? ORDER BY id DESC LIMIT 1`, KindHost, path).
		Scan(&lastAfter, &lastSum, &hasAfter)
	j.remember(path, current)
	if err != nil || lastSum == sum { // sql.ErrNoRows: never recorded
		return
	}
	j.h.record(withOutsideActor(context.Background()), KindHost, path, ActionOutside, present(lastAfter, hasAfter), current, 0)
}
