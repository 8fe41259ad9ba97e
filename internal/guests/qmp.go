package guests

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
)

// qmpTimeout bounds one QMP exchange (connect, handshake, command).
const qmpTimeout = 5 * time.Second

// qmpRun runs QMP commands on a VM's socket in one connection, under the
// VM's lock (QEMU serves one QMP client at a time). go-qemu's monitor has
// no deadlines of its own, so the exchange runs in a goroutine and the
// connection is closed when ctx or qmpTimeout ends first.
func (s *Service) qmpRun(ctx context.Context, vmid int, cmds ...qmpCmd) ([]json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, qmpTimeout)
	defer cancel()
	mon, err := qmp.NewSocketMonitor("unix", s.qmpPath(vmid), time.Second)
	if err != nil {
		return nil, fmt.Errorf("VM %d qmp: %w", vmid, err)
	}
	type result struct {
		out []json.RawMessage
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if r.err = mon.Connect(); r.err == nil {
			for _, c := range cmds {
				var ret json.RawMessage
				if ret, r.err = runOne(mon, c); r.err != nil {
					break
				}
				r.out = append(r.out, ret)
			}
		}
		done <- r
	}()
	select {
	case r := <-done:
		_ = mon.Disconnect()
		if r.err != nil {
			return r.out, fmt.Errorf("VM %d qmp command failed: %w", vmid, r.err)
		}
		return r.out, nil
	case <-ctx.Done():
		_ = mon.Disconnect()
		<-done
		return nil, fmt.Errorf("VM %d qmp command '%s' failed - got timeout", vmid, cmds[0].Execute)
	}
}

// qmpCmd is one QMP command.
type qmpCmd struct {
	Execute   string `json:"execute"`
	Arguments any    `json:"arguments,omitempty"`
}

func runOne(mon *qmp.SocketMonitor, c qmpCmd) (json.RawMessage, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	raw, err := mon.Run(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Execute, err)
	}
	var resp struct {
		Return json.RawMessage `json:"return"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Execute, err)
	}
	return resp.Return, nil
}

// qmpStatus is query-status's answer.
type qmpStatus struct {
	Status  string `json:"status"`
	Running bool   `json:"running"`
}

// QueryStatus returns QEMU's run state (running, paused, prelaunch,
// inmigrate, postmigrate, shutdown, ...).
func (s *Service) QueryStatus(ctx context.Context, vmid int) (string, error) {
	out, err := s.qmpRun(ctx, vmid, qmpCmd{Execute: "query-status"})
	if err != nil {
		return "", err
	}
	var st qmpStatus
	if err := json.Unmarshal(out[0], &st); err != nil {
		return "", fmt.Errorf("VM %d query-status: %w", vmid, err)
	}
	return st.Status, nil
}

// balloonInfo is query-balloon's answer.
type balloonInfo struct {
	Actual int64 `json:"actual"`
}
