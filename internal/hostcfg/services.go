package hostcfg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"hostadm/internal/host"
)

// ServiceIDs are the services of Proxmox's service API, in its order.
var ServiceIDs = []string{
	"chrony", "corosync", "cron", "ksmtuned", "lxcfs", "postfix", "proxmox-firewall", "pve-cluster",
	"pve-firewall", "pve-ha-crm", "pve-ha-lrm", "pve-lxc-syscalld", "pvedaemon", "pvefw-logger", "pveproxy",
	"pvescheduler", "pvestatd", "qmeventd", "spiceproxy", "sshd", "syslog", "systemd-journald", "systemd-timesyncd",
}

// ExtraServiceIDs are services a host admin touches that Proxmox's
// service API does not offer; hostadm accepts them too (an extension of
// the enumeration, never a change of its meaning).
var ExtraServiceIDs = []string{"hostadm", "smartmontools"}

// ErrEssential refuses to stop the services the API itself needs.
var ErrEssential = errors.New("refusing to stop essential service!")

var essential = map[string]bool{"pveproxy": true, "pvedaemon": true, "pve-cluster": true, "hostadm": true}

// showProps are the unit properties the service API reads.
const showProps = "Id,Description,LoadState,ActiveState,SubState,UnitFileState,Type,Result"

// unitProps runs `systemctl show` for a unit and parses KEY=VALUE lines.
func (s *Service) unitProps(ctx context.Context, unit string) (map[string]string, error) {
	res, err := s.run(ctx, 10*time.Second, "systemctl", "show", "--property="+showProps, unit)
	if err != nil {
		return nil, err
	}
	return ParseShow(res.Stdout), nil
}

// ParseShow parses `systemctl show` output.
func ParseShow(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && k != "" && !strings.ContainsAny(k, " \t") {
			out[k] = v
		}
	}
	return out
}

// ServiceState is one service as the API shows it (Proxmox's
// service_state): SubState (a finished oneshot's Result), ActiveState,
// UnitFileState ("not-found" for a unit that does not exist).
func (s *Service) ServiceState(ctx context.Context, id string) (map[string]any, error) {
	out := map[string]any{"service": id, "name": id, "desc": "", "state": "unknown",
		"active-state": "unknown", "unit-state": "unknown"}
	p, err := s.unitProps(ctx, id)
	if err != nil {
		s.cfg.Logger.Warn("service state", "service", id, "err", err.Error())
		return out, nil
	}
	fill(out, p)
	return out, nil
}

func fill(out map[string]any, p map[string]string) {
	out["desc"] = p["Description"]
	state := or(p["SubState"], "unknown")
	if state == "dead" && p["Type"] == "oneshot" && p["Result"] != "" {
		state = p["Result"]
	}
	out["state"] = state
	out["active-state"] = or(p["ActiveState"], "unknown")
	out["unit-state"] = or(p["UnitFileState"], "unknown")
	if p["LoadState"] == "not-found" {
		out["unit-state"] = "not-found"
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Services lists every service systemctl knows (one with a Description);
// where systemctl does not answer (no systemd) the list is empty, as in
// Proxmox.
func (s *Service) Services(ctx context.Context) ([]map[string]any, error) {
	out := []map[string]any{}
	for _, id := range append(append([]string{}, ServiceIDs...), ExtraServiceIDs...) {
		p, err := s.unitProps(ctx, id)
		if err != nil {
			s.cfg.Logger.Warn("service list", "service", id, "err", err.Error())
			continue
		}
		if p["Description"] == "" {
			continue
		}
		m := map[string]any{"service": id, "name": id}
		fill(m, p)
		out = append(out, m)
	}
	return out, nil
}

// ServiceCommands maps the API's actions to systemctl verbs.
var ServiceCommands = map[string]string{
	"start": "start", "stop": "stop", "restart": "restart", "reload": "try-reload-or-restart",
}

// CheckServiceCommand refuses what Proxmox refuses before it starts a task.
func CheckServiceCommand(id, action string) error {
	if _, ok := ServiceCommands[action]; !ok {
		return fmt.Errorf("unknown service command '%s'", action)
	}
	if action == "stop" && essential[id] {
		return ErrEssential
	}
	return nil
}

// ServiceCommand runs `systemctl VERB SERVICE`, its output going to log.
func (s *Service) ServiceCommand(ctx context.Context, id, action string, log io.Writer) error {
	if err := CheckServiceCommand(id, action); err != nil {
		return err
	}
	_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{"systemctl", ServiceCommands[action], id},
		Timeout: 5 * time.Minute, Output: log})
	return err
}
