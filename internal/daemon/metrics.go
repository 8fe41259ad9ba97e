package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"hostadm/internal/disks/storage"
	"hostadm/internal/guests"
	"hostadm/internal/metrics"
	"hostadm/internal/metrics/wire"
	"hostadm/internal/tasks"
)

// storageSource adapts storage.cfg and its status probes (what GET
// /nodes/{node}/storage reports) to the metrics collector's StorageSource.
type storageSource struct {
	svc    *storage.Service
	prober storage.Prober
}

// StorageStatus lists the storages configured on this node.
func (s storageSource) StorageStatus(ctx context.Context) ([]metrics.StorageStatus, error) {
	list, err := s.svc.Statuses(ctx, s.prober)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.StorageStatus, len(list))
	for i, st := range list {
		out[i] = metrics.StorageStatus{
			ID: st.Storage, Type: st.Type, Content: st.Content,
			Active: st.Active == 1, Enabled: st.Enabled == 1, Shared: st.Shared == 1,
			Total: st.Total, Used: st.Used, Avail: st.Avail,
		}
	}
	return out, nil
}

// taskFinished is the task manager's OnFinish hook: it counts the task in
// the metrics service (built after the task manager).
func (n *Node) taskFinished(e tasks.Entry) {
	if n.Services != nil && n.Services.Metrics != nil {
		n.Services.Metrics.TaskFinished(e.Type, e.Status)
	}
}

// metricsServer is the optional plain-HTTP listener for Prometheus
// (--metrics-listen): GET /metrics without authentication, nothing else.
// The admin chooses the address (loopback, a management network) and so
// who may scrape.
type metricsServer struct {
	http *http.Server
	ln   net.Listener
	done chan error
}

func (n *Node) startMetricsServer() (*metricsServer, error) {
	ln, err := net.Listen("tcp", n.Config.MetricsListen)
	if err != nil {
		return nil, fmt.Errorf("metrics listen %s: %w", n.Config.MetricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", n.Services.Metrics.Handler())
	m := &metricsServer{
		http: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute},
		ln:   ln,
		done: make(chan error, 1),
	}
	go func() {
		err := m.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		m.done <- err
	}()
	n.Config.Logger.Info("hostadm serving metrics without authentication", "listen", ln.Addr().String())
	return m, nil
}

// shutdown stops the listener (nil-safe).
func (m *metricsServer) shutdown(ctx context.Context) error {
	if m == nil {
		return nil
	}
	return errors.Join(m.http.Shutdown(ctx), <-m.done)
}

// guestSource adapts the guest service to the metrics collector's
// GuestSource: one qemu object per VM of this node, with vmstatus's keys.
type guestSource struct{ svc *guests.Service }

// GuestObjects builds the round's qemu objects.
func (g guestSource) GuestObjects(ctx context.Context, node string, ctime int64) ([]wire.Object, error) {
	list, err := g.svc.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Object, 0, len(list))
	for _, st := range list {
		f := []wire.Field{
			wire.Float("cpu", st.CPU), wire.Int("cpus", int64(st.CPUs)), wire.Int("disk", 0),
			wire.Int("diskread", 0), wire.Int("diskwrite", 0), wire.Int("maxdisk", 0),
			wire.Int("maxmem", st.MaxMem), wire.Int("mem", st.Mem), wire.Str("name", st.Name),
			wire.Int("netin", 0), wire.Int("netout", 0), wire.Int("shares", int64(st.Shares)),
			wire.Str("status", st.Status), wire.Int("template", 0), wire.Int("uptime", st.Uptime),
			wire.Int("vmid", int64(st.VMID)),
		}
		if st.Status == "running" {
			f = append(f, wire.Int("pid", int64(st.PID)), wire.Str("qmpstatus", st.QMPStatus))
			if st.Balloon > 0 {
				f = append(f, wire.Int("balloon", st.Balloon),
					wire.Hash("ballooninfo", wire.Int("actual", st.Balloon), wire.Int("max_mem", st.MaxMem)))
			}
		}
		if st.Tags != "" {
			f = append(f, wire.Str("tags", st.Tags))
		}
		wire.Sort(f)
		out = append(out, wire.Object{Kind: wire.KindQEMU, ID: strconv.Itoa(st.VMID), Node: node, Time: ctime, Fields: f})
	}
	return out, nil
}
