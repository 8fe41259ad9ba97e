package apt

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/smtp"
	"strings"
	"time"

	"hostadm/internal/host"
)

// MailConfig says how update notifications are sent.
type MailConfig struct {
	// Sendmail is the host path of the local sendmail binary; when it
	// exists, mail goes through it. Default /usr/sbin/sendmail.
	Sendmail string
	// Relay is the SMTP relay (host:port) used when there is no sendmail.
	Relay string
	// From is the sender address (default root@<Hostname>).
	From     string
	Hostname string
	// RootEmail returns root@pam's e-mail address ("" when unset).
	RootEmail func(ctx context.Context) (string, error)
}

// notify mails root about every package version not notified before,
// then records those versions in the cache so they are never sent twice.
func (s *Service) notify(ctx context.Context, log io.Writer, list []Update) error {
	var fresh []int
	for i, u := range list {
		if u.NotifyStatus != u.Version {
			fresh = append(fresh, i)
		}
	}
	if len(fresh) == 0 {
		fmt.Fprintln(log, "no new package versions to notify about")
		return nil
	}
	to := ""
	if s.cfg.Mail.RootEmail != nil {
		var err error
		if to, err = s.cfg.Mail.RootEmail(ctx); err != nil {
			return err
		}
	}
	if to == "" {
		fmt.Fprintln(log, "root@pam has no e-mail address - not sending the update notification")
		return nil
	}
	var items []Update
	for _, i := range fresh {
		items = append(items, list[i])
	}
	if err := s.sendMail(ctx, to, s.updateMail(to, items)); err != nil {
		return fmt.Errorf("send update notification: %w", err)
	}
	fmt.Fprintf(log, "sent update notification for %d package(s) to %s\n", len(items), to)
	for _, i := range fresh {
		list[i].NotifyStatus = list[i].Version
	}
	return s.writeCache(list)
}

func (s *Service) from() string {
	if s.cfg.Mail.From != "" {
		return s.cfg.Mail.From
	}
	h := s.cfg.Mail.Hostname
	if h == "" {
		h = "localhost"
	}
	return "root@" + h
}

// updateMail is the notification message (headers and plain-text body).
func (s *Service) updateMail(to string, items []Update) []byte {
	var b bytes.Buffer
	h := s.cfg.Mail.Hostname
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: New software packages available (%s)\r\n", s.from(), to, h)
	fmt.Fprintf(&b, "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n", s.cfg.Clock().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "The following updates are available:\r\n\r\n")
	fmt.Fprintf(&b, "%-30s %-20s %s\r\n", "Package Name", "Installed Version", "Available Version")
	for _, u := range items {
		fmt.Fprintf(&b, "%-30s %-20s %s\r\n", u.Package, u.OldVersion, u.Version)
	}
	return b.Bytes()
}

// sendMail hands the message to the local sendmail when there is one,
// else to the SMTP relay.
func (s *Service) sendMail(ctx context.Context, to string, msg []byte) error {
	if strings.ContainsAny(to, "\r\n") || strings.HasPrefix(to, "-") {
		return fmt.Errorf("invalid address '%s'", to)
	}
	sm := s.cfg.Mail.Sendmail
	if sm == "" {
		sm = "/usr/sbin/sendmail"
	}
	if s.cfg.Root.Exists(sm) {
		_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{s.cfg.Root.Path(sm), "-i", "-f", s.from(), "--", to},
			Stdin: msg, Timeout: time.Minute})
		return err
	}
	if s.cfg.Mail.Relay == "" {
		return fmt.Errorf("no sendmail at %s and no SMTP relay configured", sm)
	}
	return smtp.SendMail(s.cfg.Mail.Relay, nil, s.from(), []string{to}, msg)
}
