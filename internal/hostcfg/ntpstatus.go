package hostcfg

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SyncSource is one time source's state.
type SyncSource struct {
	Mode     string  `json:"mode"`  // server, peer, refclock
	State    string  `json:"state"` // selected, combined, excluded, unreachable, falseticker, variable
	Address  string  `json:"address"`
	Stratum  int     `json:"stratum"`
	Reach    string  `json:"reach"` // octal register as chronyc prints it
	Offset   float64 `json:"offset"`
	Selected int     `json:"selected"`
}

// SyncStatus is the NTP daemon's synchronisation state.
type SyncStatus struct {
	Daemon  string       `json:"daemon"`
	Synced  int          `json:"synced"`
	Server  string       `json:"server,omitempty"` // the source in use
	Stratum int          `json:"stratum,omitempty"`
	Offset  float64      `json:"offset"` // seconds
	Sources []SyncSource `json:"sources"`
}

// NTPStatus asks the daemon in use: `chronyc -c -n sources` and
// `chronyc -c -n tracking`, or `timedatectl timesync-status`.
func (s *Service) NTPStatus(ctx context.Context) (*SyncStatus, error) {
	d, err := s.NTPDaemon()
	if err != nil {
		return nil, err
	}
	if d == Timesyncd {
		res, err := s.run(ctx, 10*time.Second, "timedatectl", "timesync-status")
		if err != nil {
			return nil, fmt.Errorf("timesync status: %w", err)
		}
		return ParseTimesyncStatus(res.Stdout), nil
	}
	src, err := s.run(ctx, 10*time.Second, "chronyc", "-c", "-n", "sources")
	if err != nil {
		return nil, fmt.Errorf("chrony sources: %w", err)
	}
	trk, err := s.run(ctx, 10*time.Second, "chronyc", "-c", "-n", "tracking")
	if err != nil {
		return nil, fmt.Errorf("chrony tracking: %w", err)
	}
	return ParseChrony(src.Stdout, trk.Stdout)
}

var (
	chronyModes  = map[string]string{"^": "server", "=": "peer", "#": "refclock"}
	chronyStates = map[string]string{"*": "selected", "+": "combined", "-": "excluded", "?": "unreachable",
		"x": "falseticker", "~": "variable"}
)

// ParseChrony reads the CSV of `chronyc -c sources` (mode, state, address,
// stratum, poll, reach, last rx, offset, measured offset, error) and of
// `chronyc -c tracking` (reference id, address, stratum, reference time,
// system time offset, ...).
func ParseChrony(sources, tracking []byte) (*SyncStatus, error) {
	st := &SyncStatus{Daemon: Chrony, Sources: []SyncSource{}}
	rows, err := csv.NewReader(bytes.NewReader(sources)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse chronyc sources: %w", err)
	}
	for _, r := range rows {
		if len(r) < 8 {
			continue
		}
		src := SyncSource{Mode: or(chronyModes[r[0]], r[0]), State: or(chronyStates[r[1]], r[1]),
			Address: r[2], Reach: r[5]}
		src.Stratum, _ = strconv.Atoi(r[3])
		src.Offset, _ = strconv.ParseFloat(r[7], 64)
		if r[1] == "*" {
			src.Selected = 1
			st.Server = r[2]
		}
		st.Sources = append(st.Sources, src)
	}
	t, err := csv.NewReader(bytes.NewReader(tracking)).Read()
	if err == nil && len(t) >= 5 {
		st.Stratum, _ = strconv.Atoi(t[2])
		st.Offset, _ = strconv.ParseFloat(t[4], 64)
		if st.Server == "" && t[1] != "" && t[1] != "0.0.0.0" && t[1] != "::" {
			st.Server = t[1]
		}
	}
	if st.Server != "" && st.Stratum > 0 {
		st.Synced = 1
	}
	return st, nil
}

// ParseTimesyncStatus reads `timedatectl timesync-status` ("Key: value").
func ParseTimesyncStatus(b []byte) *SyncStatus {
	st := &SyncStatus{Daemon: Timesyncd, Sources: []SyncSource{}}
	kv := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	server, _, _ := strings.Cut(kv["Server"], " ")
	st.Server = server
	st.Stratum, _ = strconv.Atoi(kv["Stratum"])
	st.Offset = parseSystemdDuration(kv["Offset"])
	if server != "" && st.Stratum > 0 {
		st.Synced = 1
		st.Sources = append(st.Sources, SyncSource{Mode: "server", State: "selected", Address: server,
			Stratum: st.Stratum, Offset: st.Offset, Selected: 1, Reach: kv["Packet count"]})
	}
	return st
}

// parseSystemdDuration reads "-1.240ms", "+12us", "1.5s" as seconds.
func parseSystemdDuration(v string) float64 {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}, {"s", 1}, {"min", 60}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			if f, err := strconv.ParseFloat(n, 64); err == nil {
				return f * u.scale
			}
		}
	}
	return 0
}
