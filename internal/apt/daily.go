package apt

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"hostadm/internal/tasks"
)

// The daily update check runs like Proxmox's pve-daily-update.timer
// (OnCalendar=01:00, RandomizedDelaySec=5h, Persistent=true): once a day
// at a random minute between 01:00 and 06:00 local time, and soon after
// the start when the last slot (01:00) passed without a run.
const (
	dailyHour   = 1             // 01:00 local time
	dailySpread = 5 * time.Hour // random delay below this
	// dailyCatchUp is how long after the start a missed run happens.
	dailyCatchUp = time.Minute
	// dailyMaxSleep bounds one wait, so a changed wall clock (NTP at boot,
	// a resumed host) is noticed within the hour.
	dailyMaxSleep = time.Hour
	// dailyStamp records when the check last ran.
	dailyStamp = "/var/lib/hostadm/apt-daily-update"
)

// Clock is the time source of the daily check; tests inject a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// TaskRunner starts tasks and waits for them (*tasks.Manager).
type TaskRunner interface {
	Start(ctx context.Context, typ, id, user string, fn func(context.Context, *tasks.Log) error) (tasks.UPID, error)
	Wait(ctx context.Context, upid string) error
}

// DailyConfig configures the daily update check.
type DailyConfig struct {
	Tasks TaskRunner
	// Clock defaults to the real clock.
	Clock Clock
	// Delay picks the random delay after 01:00, below max; default
	// uniform, whole minutes.
	Delay  func(max time.Duration) time.Duration
	Logger *slog.Logger
}

// NextDailyRun is when the daily check runs after now: the next 01:00
// local time strictly after now, plus delay.
func NextDailyRun(now time.Time, delay time.Duration) time.Time {
	t := slotOn(now, 0)
	if !t.After(now) {
		t = slotOn(now, 1)
	}
	return t.Add(delay)
}

// lastSlot is the last 01:00 local time at or before now.
func lastSlot(now time.Time) time.Time {
	t := slotOn(now, 0)
	if t.After(now) {
		t = slotOn(now, -1)
	}
	return t
}

// slotOn is 01:00 local time on now's day moved by days.
func slotOn(now time.Time, days int) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d+days, dailyHour, 0, 0, 0, now.Location())
}

func randomMinute(max time.Duration) time.Duration {
	return time.Duration(rand.Int64N(int64(max/time.Minute))) * time.Minute
}

// RunDaily runs the daily update check until ctx ends: the update as an
// aptupdate task of root@pam (with datacenter.cfg's http_proxy), then one
// notification mail per new package version, never twice for the same
// version, to root@pam's e-mail address: through /usr/sbin/sendmail when
// the host has it, else through the SMTP relay set with `hostadm serve
// --mail-relay HOST:PORT`. The sender is datacenter.cfg's email_from, else
// root@HOSTNAME.
func (s *Service) RunDaily(ctx context.Context, cfg DailyConfig) {
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.Delay == nil {
		cfg.Delay = randomMinute
	}
	if cfg.Logger == nil {
		cfg.Logger = s.cfg.Logger
	}
	now := cfg.Clock.Now()
	next := NextDailyRun(now, cfg.Delay(dailySpread))
	if last, ok := s.lastDailyRun(); ok && last.Before(lastSlot(now)) {
		next = now.Add(dailyCatchUp) // the last slot was missed while the daemon was down
	}
	for {
		cfg.Logger.Info("next daily update check", "at", next.Format(time.RFC3339))
		if !waitUntil(ctx, cfg.Clock, next) {
			return
		}
		s.dailyOnce(ctx, cfg)
		next = NextDailyRun(cfg.Clock.Now(), cfg.Delay(dailySpread))
	}
}

// waitUntil sleeps until the clock reaches t, in steps of at most an
// hour; false when ctx ends first.
func waitUntil(ctx context.Context, c Clock, t time.Time) bool {
	for {
		d := t.Sub(c.Now())
		if d <= 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-c.After(min(d, dailyMaxSleep)):
		}
	}
}

// dailyOnce runs one check as a task and waits for it.
func (s *Service) dailyOnce(ctx context.Context, cfg DailyConfig) {
	o := UpdateOptions{Notify: true, Quiet: true, MailPerVersion: true}
	upid, err := cfg.Tasks.Start(ctx, "aptupdate", "", "root@pam", func(ctx context.Context, l *tasks.Log) error {
		return s.UpdateDatabase(ctx, l, o)
	})
	if err != nil {
		cfg.Logger.Error("daily update check", "error", err)
		return
	}
	if err := cfg.Tasks.Wait(ctx, upid.String()); err != nil {
		return // shutting down
	}
	cfg.Logger.Info("daily update check done", "upid", upid.String())
	stamp := strconv.FormatInt(cfg.Clock.Now().Unix(), 10) + "\n"
	if err := s.cfg.Root.WriteFile(dailyStamp, []byte(stamp), 0o644); err != nil {
		cfg.Logger.Error("daily update check", "error", err)
	}
}

// lastDailyRun reads the stamp of the last run.
func (s *Service) lastDailyRun() (time.Time, bool) {
	raw, err := s.cfg.Root.ReadFile(dailyStamp)
	if err != nil {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}
