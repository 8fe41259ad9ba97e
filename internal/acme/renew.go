package acme

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hostadm/internal/tasks"
)

// Renewal timing: a check a day; after a failure, retries back off from
// an hour, doubling, up to the daily check.
const (
	renewEvery      = 24 * time.Hour
	renewRetryFirst = time.Hour
)

// renewState is what the last automatic renewals did.
type renewState struct {
	mu        sync.Mutex
	failures  int    // consecutive failed attempts
	lastError string // of the last failed attempt
	lastUPID  string
	attempts  prometheus.Counter
	failed    prometheus.Counter
}

// RenewalWarning is the warning GET certificates/info shows while the
// automatic renewal fails, "" when it does not.
func (s *Service) RenewalWarning() string {
	s.renew.mu.Lock()
	defer s.renew.mu.Unlock()
	if s.renew.failures == 0 {
		return ""
	}
	return fmt.Sprintf("automatic ACME renewal failed %d time(s), last in task %s: %s",
		s.renew.failures, s.renew.lastUPID, s.renew.lastError)
}

// RenewalConfig tunes RunRenewal.
type RenewalConfig struct {
	Tasks *tasks.Manager
	Every time.Duration // default a day
	Retry time.Duration // first retry after a failure; default an hour
}

// RunRenewal checks at once and then daily whether the ACME certificate
// needs renewing (fewer than 30 days left, or expired) and renews it in a
// task acmerenew; a failed attempt is retried with doubling delays.
func (s *Service) RunRenewal(ctx context.Context, rc RenewalConfig) {
	if rc.Every == 0 {
		rc.Every = renewEvery
	}
	if rc.Retry == 0 {
		rc.Retry = renewRetryFirst
	}
	wait := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		err := s.RenewIfDue(ctx, rc.Tasks)
		wait = rc.Every
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.renew.mu.Lock()
			n := s.renew.failures
			s.renew.mu.Unlock()
			wait = retryDelay(n, rc.Retry, rc.Every)
			s.cfg.Logger.Warn("ACME renewal failed", "err", err, "retry_in", wait)
		}
	}
}

// RenewIfDue renews the ACME certificate in a task when it is due and
// waits for the task; it returns the task's error.
func (s *Service) RenewIfDue(ctx context.Context, tm *tasks.Manager) error {
	due, err := s.renewalDue(ctx)
	if err != nil || !due {
		return err
	}
	s.renew.attempts.Inc()
	upid, err := tm.Start(ctx, "acmerenew", s.cfg.Node, "root@pam", func(ctx context.Context, l *tasks.Log) error {
		l.Printf("Automatic renewal: the certificate expires within 30 days")
		return s.Renew(ctx, l)
	})
	if err != nil {
		return s.renewFailed("", err)
	}
	if err := tm.Wait(ctx, upid.String()); err != nil {
		return s.renewFailed(upid.String(), err)
	}
	if st := taskStatus(tm, upid.String()); st != "OK" && st != "" && !strings.HasPrefix(st, "WARNINGS") {
		return s.renewFailed(upid.String(), errors.New(st))
	}
	s.renew.mu.Lock()
	s.renew.failures, s.renew.lastError = 0, ""
	s.renew.mu.Unlock()
	return nil
}

func (s *Service) renewFailed(upid string, err error) error {
	s.renew.failed.Inc()
	s.renew.mu.Lock()
	defer s.renew.mu.Unlock()
	s.renew.failures++
	s.renew.lastError, s.renew.lastUPID = err.Error(), upid
	return err
}

// renewalDue tells whether there is an ACME-managed certificate (node
// domains configured and a custom certificate) with fewer than 30 days
// left.
func (s *Service) renewalDue(ctx context.Context) (bool, error) {
	n, err := s.NodeConfig(ctx)
	if err != nil || len(n.Domains) == 0 {
		return false, err
	}
	cert, err := s.currentCert(ctx)
	if err != nil {
		return false, nil // nothing ordered yet
	}
	return cert.NotAfter.Sub(s.cfg.Clock()) < renewBefore, nil
}

// collector exports the certificate's remaining validity and the
// renewal's health.
type collector struct {
	s                *Service
	expiry, failing  *prometheus.Desc
	attempts, failed prometheus.Counter
}

// Collector returns the Prometheus collector of the ACME service.
func (s *Service) Collector() prometheus.Collector {
	return collector{
		s: s,
		expiry: prometheus.NewDesc("hostadm_certificate_expiry_seconds",
			"Seconds until the certificate the daemon serves expires (negative: expired); divide by 86400 for days left.",
			[]string{"filename"}, nil),
		failing: prometheus.NewDesc("hostadm_acme_renewal_failing",
			"Whether the automatic ACME renewal's last attempt failed (1) or not (0).", nil, nil),
		attempts: s.renew.attempts, failed: s.renew.failed,
	}
}

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.expiry
	ch <- c.failing
	c.attempts.Describe(ch)
	c.failed.Describe(ch)
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if infos, err := c.s.cfg.Certs.Infos(ctx); err == nil {
		now := c.s.cfg.Clock()
		for _, in := range infos {
			left := time.Unix(in.NotAfter, 0).Sub(now).Seconds()
			ch <- prometheus.MustNewConstMetric(c.expiry, prometheus.GaugeValue, left, in.Filename)
		}
	}
	failing := 0.0
	if c.s.RenewalWarning() != "" {
		failing = 1
	}
	ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, failing)
	c.attempts.Collect(ch)
	c.failed.Collect(ch)
}

func newRenewState() *renewState {
	return &renewState{
		attempts: prometheus.NewCounter(prometheus.CounterOpts{Name: "hostadm_acme_renewal_attempts_total",
			Help: "Automatic ACME renewals started."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "hostadm_acme_renewal_failures_total",
			Help: "Automatic ACME renewals that failed."}),
	}
}

// taskStatus is a finished task's exit status ("OK", or the error).
func taskStatus(tm *tasks.Manager, upid string) string {
	st, err := tm.Status(upid)
	if err != nil {
		return ""
	}
	return st.ExitStatus
}

// retryDelay is the wait after the nth consecutive failure: first, then
// doubling, never more than most.
func retryDelay(n int, first, most time.Duration) time.Duration {
	return min(first<<min(max(n-1, 0), 16), most)
}
