package host

import (
	"context"
	"errors"
	"io/fs"
	"os"
)

// Actor says who changes the node: the authenticated user or token, the
// endpoint or command, and the task when the change runs in one. The API
// puts it into the request's context; tasks carry it on.
type Actor struct {
	User     string // user@realm or user@realm!token
	Endpoint string // "PUT /nodes/pve1/dns", "hostadm network apply", ...
	UPID     string // the task's UPID, when the change runs in a task
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor ctx carries, or the zero Actor.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Journal learns of every host file hostadm writes and reads, so that it can
// record who changed what (and notice changes made outside hostadm).
type Journal interface {
	// Records tells whether writes and reads of path are reported at all,
	// so that Root reads nothing extra for the files it does not keep.
	Records(path string) bool
	// Wrote reports a write of path (a host path such as /etc/hosts):
	// before is the old content, nil when the file did not exist.
	Wrote(ctx context.Context, path string, before, after []byte)
	// Read reports the content hostadm read from path.
	Read(path string, data []byte)
}

// WithJournal returns a copy of r whose writes and reads are reported to j.
func (r Root) WithJournal(j Journal) Root {
	r.journal = j
	return r
}

// WriteFileContext is WriteFile with the caller's context, which names the
// actor the journal records.
func (r Root) WriteFileContext(ctx context.Context, p string, data []byte, mode fs.FileMode) error {
	if r.journal == nil || !r.journal.Records(p) {
		return WriteFileAtomic(r.Path(p), data, mode)
	}
	before, err := os.ReadFile(r.Path(p))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		before = nil
	}
	if err := WriteFileAtomic(r.Path(p), data, mode); err != nil {
		return err
	}
	r.journal.Wrote(ctx, p, before, data)
	return nil
}
