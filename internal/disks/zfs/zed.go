package zfs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"hostadm/internal/disks"
	"hostadm/internal/disks/zfs/zedrc"
	"hostadm/internal/host"
)

// Host files of the ZFS event daemon and Debian's periodic jobs.
const (
	ZedRC      = "/etc/zfs/zed.d/zed.rc"
	CronFile   = "/etc/cron.d/zfsutils-linux"
	timersWant = "/etc/systemd/system/timers.target.wants"
)

// ErrZedInput marks a refused zed.rc value.
var ErrZedInput = errors.New("zed.rc")

// ZedKeys are the mail settings the API edits, by API name.
var ZedKeys = map[string]string{
	"email-addr":      "ZED_EMAIL_ADDR",
	"email-prog":      "ZED_EMAIL_PROG",
	"email-opts":      "ZED_EMAIL_OPTS",
	"notify-interval": "ZED_NOTIFY_INTERVAL_SECS",
	"notify-verbose":  "ZED_NOTIFY_VERBOSE",
}

// ZedSettings are zed.rc's active assignments (by API name for the mail
// settings, all ZED_ keys under "values") with the file's digest.
type ZedSettings struct {
	Settings map[string]string `json:"settings"`
	Values   map[string]string `json:"values"`
	Digest   string            `json:"digest"`
	Exists   int               `json:"exists"`
}

// Zed reads zed.rc.
func (s *Service) Zed() (*ZedSettings, error) {
	f, digest, exists, err := disks.ReadConf(s.d.Root(), ZedRC, zedrc.Parse)
	if err != nil {
		return nil, err
	}
	out := &ZedSettings{Settings: map[string]string{}, Values: f.Values(), Digest: digest}
	if exists {
		out.Exists = 1
	}
	for api, key := range ZedKeys {
		if v, ok := f.Get(key); ok {
			out.Settings[api] = v
		}
	}
	return out, nil
}

// SetZed sets (set) and comments out (unset) mail settings by API name,
// keeping every other line of zed.rc. A stale digest or a bad value
// changes nothing. zed reads zed.rc for every event, so no reload is needed.
func (s *Service) SetZed(ctx context.Context, set map[string]string, unset []string, digest string) error {
	unlock, err := s.d.Root().Lock(ctx, host.PrivateLock("zedrc"), 10*time.Second)
	if err != nil {
		return err
	}
	defer unlock()
	f, cur, _, err := disks.ReadConf(s.d.Root(), ZedRC, zedrc.Parse)
	if err != nil {
		return err
	}
	if err := host.CheckDigest(cur, digest); err != nil {
		return err
	}
	for api, v := range set {
		if err := CheckZedValue(api, v); err != nil {
			return err
		}
		if err := f.Set(ZedKeys[api], v); err != nil {
			return fmt.Errorf("%w: %w", ErrZedInput, err)
		}
	}
	for _, api := range unset {
		if ZedKeys[api] == "" {
			return fmt.Errorf("%w: unknown setting '%s'", ErrZedInput, api)
		}
		f.Unset(ZedKeys[api])
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return err
	}
	return s.d.Root().WriteFileContext(ctx, ZedRC, b.Bytes(), 0o644)
}

var (
	reAddr     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._%+-]+(@[A-Za-z0-9.-]+)?$`) })
	reProg     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_./+-]+$`) })
	reOpt      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9@'_.,:/= +-]*$`) })
	reSeconds  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,7}$`) })
	reVerbose  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[01]$`) })
	zedChecker = map[string]func() *regexp.Regexp{"email-prog": reProg, "email-opts": reOpt, "notify-interval": reSeconds, "notify-verbose": reVerbose}
)

// CheckZedValue validates one mail setting: addresses separated by
// spaces, a program name or path, its options (with @ADDRESS@ and
// @SUBJECT@), seconds, or 0/1.
func CheckZedValue(api, v string) error {
	if ZedKeys[api] == "" {
		return fmt.Errorf("%w: unknown setting '%s'", ErrZedInput, api)
	}
	if api == "email-addr" {
		for _, a := range strings.Fields(v) {
			if !reAddr().MatchString(a) {
				return fmt.Errorf("%w: invalid address '%s'", ErrZedInput, a)
			}
		}
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%w: no address", ErrZedInput)
		}
		return nil
	}
	if !zedChecker[api]().MatchString(v) {
		return fmt.Errorf("%w: invalid value for %s", ErrZedInput, api)
	}
	return nil
}

// Schedule is one periodic scrub or trim: a cron line of Debian's
// zfsutils-linux or an enabled systemd timer of OpenZFS.
type Schedule struct {
	Kind   string `json:"kind"`           // scrub or trim
	Source string `json:"source"`         // the cron file or timer unit
	When   string `json:"when"`           // cron fields or the timer's period
	Pool   string `json:"pool,omitempty"` // timers are per pool; cron covers all
	Note   string `json:"note,omitempty"` // what the cron job's day test means
	Line   string `json:"line,omitempty"` // the cron line
}

// Schedules lists the periodic scrubs and trims and each pool's autotrim.
func (s *Service) Schedules(ctx context.Context) (map[string]any, error) {
	out := []Schedule{}
	if raw, err := s.d.Root().ReadFile(CronFile); err == nil {
		out = append(out, parseCron(raw)...)
	}
	entries, _ := os.ReadDir(s.d.Root().Path(timersWant))
	reTimer := regexp.MustCompile(`^zfs-(scrub|trim)-(weekly|monthly)@(.+)\.timer$`)
	for _, e := range entries {
		if m := reTimer.FindStringSubmatch(e.Name()); m != nil {
			out = append(out, Schedule{Kind: m[1], Source: e.Name(), When: m[2], Pool: m[3]})
		}
	}
	res, err := s.d.Output(ctx, "zpool", "get", "-H", "-o", "name,value", "autotrim")
	if err != nil {
		return nil, err
	}
	pools := []map[string]any{}
	sc := bufio.NewScanner(bytes.NewReader(res))
	for sc.Scan() {
		if f := strings.Split(sc.Text(), "\t"); len(f) == 2 {
			pools = append(pools, map[string]any{"name": f[0], "autotrim": f[1]})
		}
	}
	return map[string]any{"schedules": out, "pools": pools}, nil
}

// parseCron reads the scrub and trim lines of a cron.d file ("M H DOM MON
// DOW USER COMMAND").
func parseCron(raw []byte) []Schedule {
	var out []Schedule
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		if len(f) < 7 || strings.HasPrefix(line, "#") || strings.Contains(f[0], "=") {
			continue
		}
		cmd := strings.Join(f[6:], " ")
		kind := ""
		switch {
		case strings.Contains(cmd, "scrub"):
			kind = "scrub"
		case strings.Contains(cmd, "trim"):
			kind = "trim"
		default:
			continue
		}
		sch := Schedule{Kind: kind, Source: CronFile, When: strings.Join(f[:5], " "), Line: line}
		if strings.Contains(cmd, `date +\%w) -eq 0`) {
			sch.Note = "on the Sunday among days " + f[2] + " of the month"
		}
		out = append(out, sch)
	}
	return out
}
