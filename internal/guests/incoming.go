package guests

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"hostadm/internal/cfs"
)

// The target side of a live migration (see livemigrate.go). An incoming
// QEMU that has not been handed over yet is marked by VMID.incoming in the
// run directory, naming the source node, so that a daemon restarted after
// a crash settles it: it runs the VM when the handover happened, gives it
// up (and tells the source so) when it had not, and never leaves a stray
// copy behind.

func (s *Service) incomingPath(vmid int) string { return s.runPath(vmid, ".incoming") }

// RunIncoming is the target side: it settles the migrations a previous
// daemon of this node left (to and from it), then answers migration
// requests for this node until ctx ends.
func (s *Service) RunIncoming(ctx context.Context) {
	prefix := "nodes/" + s.cfg.Node + "/qemu-migrate/"
	ch, err := s.cfg.Store.Watch(ctx, prefix)
	if err != nil {
		s.cfg.Logger.Warn("migration watcher", "err", err)
		return
	}
	s.recoverOutgoing(ctx)
	s.recoverIncoming(ctx)
	for ev := range ch {
		if ev.Deleted || !strings.HasSuffix(ev.Path, ".json") {
			continue
		}
		vmid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(ev.Path, prefix), ".json"))
		if err != nil {
			continue
		}
		go s.receive(ctx, vmid)
	}
}

// receive starts the incoming QEMU for a request, then waits for the
// handover (the VM runs here) or for the source to give up (the incoming
// QEMU goes).
func (s *Service) receive(ctx context.Context, vmid int) {
	lk := s.vmLock(vmid)
	lk.Lock()
	defer lk.Unlock()
	if source, ok := s.listen(ctx, vmid); ok {
		s.awaitHandover(ctx, vmid, source)
	}
}

// listen answers a new request: QEMU started with -incoming and marked,
// listening on this node's cluster address, the request's state
// "listening" with the address. It returns the source node; ok is false
// when there was no new request or it failed (the request says why).
func (s *Service) listen(ctx context.Context, vmid int) (source string, ok bool) {
	rpath := migratePath(s.cfg.Node, vmid)
	e, err := s.cfg.Store.Get(ctx, rpath)
	if err != nil {
		return "", false
	}
	var r migrateRequest
	if json.Unmarshal(e.Data, &r) != nil || r.State != "request" {
		return "", false
	}
	fail := func(err error) (string, bool) {
		r.State, r.Error = "failed", err.Error()
		b, _ := json.Marshal(r)
		_, _ = s.cfg.Store.Put(ctx, rpath, b, e.Version)
		return "", false
	}
	src, err := s.loadOn(ctx, r.Source, vmid)
	if err != nil {
		return fail(err)
	}
	if s.Running(vmid) != nil {
		return fail(fmt.Errorf("VM %d already running on node '%s'", vmid, s.cfg.Node))
	}
	uri, err := s.freeURI(ctx)
	if err != nil {
		return fail(err)
	}
	pid, err := s.launch(ctx, vmid, SettingsOf(src.Config), uri)
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(s.incomingPath(vmid), []byte(r.Source+"\n"), 0o644); err != nil {
		s.dropIncoming(vmid)
		return fail(fmt.Errorf("mark incoming VM %d: %w", vmid, err))
	}
	if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "migrate-incoming", Arguments: map[string]string{"uri": uri}}); err != nil {
		s.dropIncoming(vmid)
		return fail(err)
	}
	s.writeStarted(vmid, pid, r.Started)
	r.State, r.URI = "listening", uri
	b, _ := json.Marshal(r)
	if _, err := s.cfg.Store.Put(ctx, rpath, b, e.Version); err != nil {
		s.dropIncoming(vmid)
		return "", false
	}
	return r.Source, true
}

// handedOver tells whether the VM belongs to this node now: its config is
// here and no longer on the source.
func (s *Service) handedOver(ctx context.Context, vmid int, source string) (bool, error) {
	if _, err := s.cfg.Store.Get(ctx, ConfPath(s.cfg.Node, vmid)); errors.Is(err, cfs.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if _, err := s.cfg.Store.Get(ctx, ConfPath(source, vmid)); errors.Is(err, cfs.ErrNotFound) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	return false, nil
}

// awaitHandover runs the incoming VM once it is handed over. When the
// source gave up first (its request is gone) or went offline, the
// incoming QEMU died or this daemon stops, it settles the VM as a
// restarted daemon would.
func (s *Service) awaitHandover(ctx context.Context, vmid int, source string) {
	rpath := migratePath(s.cfg.Node, vmid)
	for {
		if ok, _ := s.handedOver(ctx, vmid, source); ok {
			s.resumeIncoming(ctx, vmid)
			return
		}
		_, err := s.cfg.Store.Get(ctx, rpath)
		if errors.Is(err, cfs.ErrNotFound) || s.Running(vmid) == nil || sleepCtx(ctx, 50*time.Millisecond) != nil ||
			!s.online(ctx, source) {
			// While the source commits, wait on (a source that died then
			// settles it when it starts again); a stopping daemon leaves
			// that VM to its next start.
			if s.settle(context.WithoutCancel(ctx), vmid, source) && ctx.Err() == nil {
				continue
			}
			return
		}
	}
}

// resumeIncoming lets a handed-over VM run and tells the source.
func (s *Service) resumeIncoming(ctx context.Context, vmid int) {
	state := "running"
	if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "cont"}); err != nil {
		s.cfg.Logger.Warn("resume migrated VM", "vmid", vmid, "err", err)
		state = "failed"
	} else {
		_ = os.Remove(s.incomingPath(vmid))
		s.cfg.Logger.Info("migrated VM runs", "vmid", vmid)
	}
	s.setState(ctx, migratePath(s.cfg.Node, vmid), state)
}

// dropIncoming kills an incoming QEMU that was not handed over.
func (s *Service) dropIncoming(vmid int) {
	s.kill(vmid)
	s.cleanupRuntime(vmid)
}

// recoverIncoming settles the incoming QEMUs a previous daemon of this
// node left (it was killed during a migration): handed over, they run;
// still in flight, they are given up — the request marked failed first,
// so the source cannot commit afterwards — and their QEMU goes.
func (s *Service) recoverIncoming(ctx context.Context) {
	ents, err := os.ReadDir(s.cfg.Root.Path(RunDir))
	if err != nil {
		return
	}
	for _, d := range ents {
		id, ok := strings.CutSuffix(d.Name(), ".pid")
		vmid, err := strconv.Atoi(id)
		if !ok || err != nil {
			continue
		}
		if p := s.Running(vmid); p == nil || !cmdlineHas(p.PID, "-incoming") {
			continue
		}
		b, _ := os.ReadFile(s.incomingPath(vmid))
		source := strings.TrimSpace(string(b))
		lk := s.vmLock(vmid)
		lk.Lock()
		if s.settle(ctx, vmid, source) {
			go func() { // the source is committing: wait for it as receive does
				defer lk.Unlock()
				s.awaitHandover(ctx, vmid, source)
			}()
			continue
		}
		lk.Unlock()
	}
}

// settle decides on an incoming QEMU nobody waits for (left by a previous
// daemon, or its migration ended without a handover): handed over, it
// runs; in flight, the request is marked failed first, so the source can
// no longer commit, then the QEMU goes. It returns true when the source is
// committing the handover right now. Without a marker (source "") the QEMU
// either was handed over and runs (its config is here) or was left before
// it was marked.
func (s *Service) settle(ctx context.Context, vmid int, source string) bool {
	if source == "" {
		if _, err := s.cfg.Store.Get(ctx, ConfPath(s.cfg.Node, vmid)); errors.Is(err, cfs.ErrNotFound) {
			s.dropIncoming(vmid)
		}
		return false
	}
	rpath := migratePath(s.cfg.Node, vmid)
	for range 10 {
		e, err := s.cfg.Store.Get(ctx, rpath)
		var r migrateRequest
		if err == nil && json.Unmarshal(e.Data, &r) == nil {
			switch r.State {
			case "commit":
				return true
			case "request", "listening":
				r.State, r.Error = "failed", "the target node's daemon restarted"
				b, _ := json.Marshal(r)
				if _, err := s.cfg.Store.Put(ctx, rpath, b, e.Version); errors.Is(err, cfs.ErrConflict) {
					continue // the source moved on meanwhile: look again
				} else if err != nil {
					s.cfg.Logger.Warn("give up incoming VM", "vmid", vmid, "err", err)
					return false
				}
				s.dropIncoming(vmid)
				return false
			}
		} else if err != nil && !errors.Is(err, cfs.ErrNotFound) {
			s.cfg.Logger.Warn("incoming VM left by the previous daemon", "vmid", vmid, "err", err)
			return false
		}
		switch ok, err := s.handedOver(ctx, vmid, source); {
		case ok:
			s.resumeIncoming(ctx, vmid)
		case err == nil:
			s.dropIncoming(vmid)
		}
		return false
	}
	return false
}

var reMigratePath = regexp.MustCompile(`^nodes/([^/]+)/qemu-migrate/(\d+)\.json$`)

// recoverOutgoing settles the migrations from this node a previous daemon
// left when it died: where the config is still here the handover did not
// happen — the target's copy of the config (if the commit had begun) and
// the request are withdrawn, so the target drops its incoming QEMU, and
// the VM runs on here; where it is gone the VM belongs to the target, and
// the stale copy here goes.
func (s *Service) recoverOutgoing(ctx context.Context) {
	entries, err := s.cfg.Store.List(ctx, "nodes/")
	if err != nil {
		s.cfg.Logger.Warn("migrations left by the previous daemon", "err", err)
		return
	}
	for _, en := range entries {
		if m := reMigratePath.FindStringSubmatch(en.Path); m != nil && m[1] != s.cfg.Node {
			vmid, _ := strconv.Atoi(m[2])
			s.settleOutgoing(ctx, vmid, m[1])
		}
	}
}

// settleOutgoing settles one request to target, if it is this node's;
// under the VM's lock, so a migration this daemon runs has ended first.
func (s *Service) settleOutgoing(ctx context.Context, vmid int, target string) {
	lk := s.vmLock(vmid)
	lk.Lock()
	defer lk.Unlock()
	rpath := migratePath(target, vmid)
	e, err := s.cfg.Store.Get(ctx, rpath)
	var r migrateRequest
	if err != nil || json.Unmarshal(e.Data, &r) != nil || r.Source != s.cfg.Node {
		return
	}
	_, loadErr := s.Load(ctx, vmid)
	switch {
	case errors.Is(loadErr, ErrNoVM):
		if s.Running(vmid) != nil { // handed over: this copy is stale
			s.kill(vmid)
			s.cleanupRuntime(vmid)
		}
	case loadErr != nil:
		s.cfg.Logger.Warn("migration left by the previous daemon", "vmid", vmid, "err", loadErr)
		return
	case r.State == "commit":
		if err := s.cfg.Store.Delete(ctx, ConfPath(target, vmid), cfs.AnyVersion); err != nil && !errors.Is(err, cfs.ErrNotFound) {
			s.cfg.Logger.Warn("withdraw config from the migration target", "vmid", vmid, "err", err)
			return
		}
	}
	if err := s.cfg.Store.Delete(ctx, rpath, cfs.AnyVersion); err != nil && !errors.Is(err, cfs.ErrNotFound) {
		s.cfg.Logger.Warn("remove migration request", "vmid", vmid, "err", err)
		return
	}
	if loadErr == nil && s.Running(vmid) != nil {
		_, _ = s.qmpRun(ctx, vmid, qmpCmd{Execute: "migrate_cancel"})
		s.resumeAfterMigration(ctx, vmid)
	}
}

// resumeAfterMigration lets a VM run again whose QEMU a migration left
// paused (completed, or being completed, without a handover).
func (s *Service) resumeAfterMigration(ctx context.Context, vmid int) {
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
		st, err := s.QueryStatus(ctx, vmid)
		switch {
		case err == nil && st == "postmigrate":
			if _, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "cont"}); err != nil {
				s.cfg.Logger.Warn("resume VM after an unfinished migration", "vmid", vmid, "err", err)
			}
			return
		case err != nil || st != "finish-migrate":
			return
		}
		if sleepCtx(ctx, 100*time.Millisecond) != nil {
			return
		}
	}
}
