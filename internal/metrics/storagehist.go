package metrics

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"hostadm/internal/metrics/rrd"
)

// StorageLayout is the history kept per storage: Proxmox VE 9's
// pve-storage-9.0 data sources (total and used bytes) at the node's
// resolutions. About 260 kB per storage.
func StorageLayout() rrd.Layout {
	l := NodeLayout()
	l.DS = []rrd.DS{{Name: "total", Kind: rrd.Gauge}, {Name: "used", Kind: rrd.Gauge}}
	return l
}

// storageHistory keeps one round-robin file per storage of the local node
// (DIR/storage-<node>-<storeid>.rrd), opened when the storage is first
// seen active, as pvestatd updates pve-storage rrds of active storages
// only. Files of removed storages stay (each is fixed in size).
type storageHistory struct {
	dir, node string
	logger    *slog.Logger

	mu     sync.Mutex
	open   bool // between Run's start and end
	dbs    map[string]*rrd.DB
	synced int64 // ctime of the last sync
}

func newStorageHistory(dir, node string, logger *slog.Logger) *storageHistory {
	if dir == "" {
		return nil
	}
	return &storageHistory{dir: dir, node: node, logger: logger, dbs: map[string]*rrd.DB{}}
}

func (h *storageHistory) path(id string) string {
	return filepath.Join(h.dir, "storage-"+h.node+"-"+id+".rrd")
}

// start lets add write (Run has begun).
func (h *storageHistory) start() {
	if h != nil {
		h.mu.Lock()
		h.open = true
		h.mu.Unlock()
	}
}

// add records the active storages of one round; failures are logged.
func (h *storageHistory) add(ctime int64, list []StorageStatus) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.open {
		return
	}
	sync := ctime-h.synced >= int64(historySync.Seconds()) || ctime < h.synced
	if sync {
		h.synced = ctime
	}
	for i := range list {
		st := &list[i]
		if !st.Active {
			continue
		}
		db, err := h.dbLocked(st.ID)
		if err == nil {
			vals := [2]float64{float64(st.Total), float64(st.Used)}
			if err = db.Update(ctime, vals[:]); errors.Is(err, rrd.ErrPast) {
				err = nil
			}
		}
		if err == nil && sync {
			err = db.Sync()
		}
		if err != nil {
			h.logger.Error("storage history", "storage", st.ID, "err", err.Error())
		}
	}
}

// dbLocked returns the open file of a storage, opening it first.
func (h *storageHistory) dbLocked(id string) (*rrd.DB, error) {
	if db := h.dbs[id]; db != nil {
		return db, nil
	}
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage history: %w", err)
	}
	db, err := rrd.Open(h.path(id), StorageLayout())
	if errors.Is(err, rrd.ErrLayout) {
		if err = os.Rename(h.path(id), h.path(id)+".old"); err == nil {
			db, err = rrd.Open(h.path(id), StorageLayout())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("storage history: %w", err)
	}
	h.dbs[id] = db
	return db, nil
}

// close syncs and closes every file.
func (h *storageHistory) close() error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var errs []error
	for id, db := range h.dbs {
		errs = append(errs, db.Close())
		delete(h.dbs, id)
	}
	h.open = false
	return errors.Join(errs...)
}

// reader is the storage's open file or a snapshot of it; nil when there is
// none (never active, or no history kept).
func (h *storageHistory) reader(id string) (*rrd.DB, error) {
	if h == nil {
		return nil, nil
	}
	h.mu.Lock()
	db := h.dbs[id]
	h.mu.Unlock()
	if db != nil {
		return db, nil
	}
	db, err := rrd.ReadFile(h.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return db, err
}
