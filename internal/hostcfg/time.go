package hostcfg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"hostadm/internal/host"
)

// ErrNoSuchTimezone is returned for a zone name the host does not know; the
// API reports it on the timezone parameter as Proxmox does.
var ErrNoSuchTimezone = errors.New("No such timezone")

var reZone = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$`) })

// TimeInfo is what GET /nodes/{node}/time returns.
type TimeInfo struct {
	Timezone  string `json:"timezone"`
	Time      int64  `json:"time"`
	Localtime int64  `json:"localtime"`
}

// Time reads the time zone (through timedatectl where systemd runs, else
// /etc/timezone or the /etc/localtime link) and the current time.
func (s *Service) Time(ctx context.Context) (*TimeInfo, error) {
	tz, err := s.timezone(ctx)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock()
	_, off := now.In(s.location(tz)).Zone()
	return &TimeInfo{Timezone: tz, Time: now.Unix(), Localtime: now.Unix() + int64(off)}, nil
}

func (s *Service) timezone(ctx context.Context) (string, error) {
	if s.systemdRunning() {
		res, err := s.run(ctx, 10*time.Second, "timedatectl", "show", "--property=Timezone", "--value")
		if err != nil {
			return "", fmt.Errorf("read time zone: %w", err)
		}
		return strings.TrimSpace(string(res.Stdout)), nil
	}
	if b, _ := s.readFile("/etc/timezone"); len(bytes.TrimSpace(b)) > 0 {
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimSpace(line), nil
	}
	if target, err := os.Readlink(s.cfg.Root.Path("/etc/localtime")); err == nil {
		if _, zone, ok := strings.Cut(target, "zoneinfo/"); ok {
			return zone, nil
		}
	}
	return "UTC", nil
}

// location loads a zone from the zone database, UTC when it cannot.
func (s *Service) location(tz string) *time.Location {
	if reZone().MatchString(tz) {
		if b, err := os.ReadFile(filepath.Join(s.cfg.ZoneInfo, tz)); err == nil {
			if loc, err := time.LoadLocationFromTZData(tz, b); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

// SetTimezone sets the time zone: `timedatectl set-timezone` where systemd
// runs, else /etc/timezone and the /etc/localtime link (what timedatectl
// itself changes). An unknown zone is ErrNoSuchTimezone, nothing changed.
func (s *Service) SetTimezone(ctx context.Context, tz string) error {
	ok, err := s.knownZone(ctx, tz)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoSuchTimezone
	}
	if s.systemdRunning() {
		if _, err := s.run(ctx, 30*time.Second, "timedatectl", "set-timezone", tz); err != nil {
			return fmt.Errorf("set time zone: %w", err)
		}
		return nil
	}
	unlock, err := s.cfg.Root.Lock(ctx, host.PrivateLock("timezone"), lockWait)
	if err != nil {
		return err
	}
	defer unlock()
	old, err := s.readFile("/etc/timezone")
	if err != nil {
		return err
	}
	if err := s.writeFile(ctx, "/etc/timezone", old, []byte(tz+"\n")); err != nil {
		return err
	}
	return s.linkLocaltime(tz)
}

// linkLocaltime points /etc/localtime at the zone, replacing the old link
// atomically (a new link renamed over it).
func (s *Service) linkLocaltime(tz string) error {
	dst := s.cfg.Root.Path("/etc/localtime")
	tmp := dst + ".hostadm-new"
	os.Remove(tmp)
	if err := os.Symlink("/usr/share/zoneinfo/"+tz, tmp); err != nil {
		return fmt.Errorf("link /etc/localtime: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("link /etc/localtime: %w", err)
	}
	return nil
}

// knownZone checks a zone name against `timedatectl list-timezones` where
// systemd runs, else against the zone database's tzdata.zi (the list
// timedatectl reads) or, lacking it, a TZif file of that name.
func (s *Service) knownZone(ctx context.Context, tz string) (bool, error) {
	if !reZone().MatchString(tz) {
		return false, nil
	}
	if s.systemdRunning() {
		res, err := s.run(ctx, 10*time.Second, "timedatectl", "list-timezones")
		if err != nil {
			return false, fmt.Errorf("list time zones: %w", err)
		}
		return hasLine(res.Stdout, tz), nil
	}
	if tz == "UTC" {
		return true, nil
	}
	if zi, err := os.ReadFile(filepath.Join(s.cfg.ZoneInfo, "tzdata.zi")); err == nil {
		return zoneInTZData(zi, tz), nil
	}
	b, err := os.ReadFile(filepath.Join(s.cfg.ZoneInfo, tz))
	return err == nil && bytes.HasPrefix(b, []byte("TZif")), nil
}

func hasLine(b []byte, want string) bool {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == want {
			return true
		}
	}
	return false
}

// zoneInTZData finds a zone ("Z NAME ...") or link ("L TARGET NAME") in
// tzdata.zi.
func zoneInTZData(zi []byte, tz string) bool {
	sc := bufio.NewScanner(bytes.NewReader(zi))
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		switch {
		case len(w) >= 2 && w[0] == "Z" && w[1] == tz:
			return true
		case len(w) >= 3 && w[0] == "L" && w[2] == tz:
			return true
		}
	}
	return false
}
