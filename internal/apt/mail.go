package apt

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/smtp"
	"strings"
	"time"

	"hostadm/internal/access"
	"hostadm/internal/host"
)

// MailConfig says how update notifications are sent.
type MailConfig struct {
	// Sendmail is the host path of the local sendmail binary; when it
	// exists, mail goes through it. Default /usr/sbin/sendmail.
	Sendmail string
	// Relay is the SMTP relay (host:port) used when there is no sendmail:
	// `hostadm serve --mail-relay HOST:PORT`.
	Relay string
	// From is the sender address (default: email_from of datacenter.cfg,
	// else root@<Hostname>).
	From     string
	Hostname string
	// Users is asked for root@pam's e-mail address, the notification's
	// recipient (none is sent when it is unset or Users is nil).
	Users *access.Service
}

// notify mails root about every package version not notified before,
// all in one mail or one mail per version, and records each version in the
// cache as soon as its mail is sent, so none is ever sent twice.
func (s *Service) notify(ctx context.Context, log io.Writer, list []Update, perVersion bool) error {
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
	to, err := s.rootEmail(ctx)
	if err != nil {
		return fmt.Errorf("e-mail address of root@pam: %w", err)
	}
	if to == "" {
		fmt.Fprintln(log, "root@pam has no e-mail address - not sending the update notification")
		return nil
	}
	from, err := s.from(ctx)
	if err != nil {
		return err
	}
	groups := [][]int{fresh}
	if perVersion {
		groups = groups[:0]
		for _, i := range fresh {
			groups = append(groups, []int{i})
		}
	}
	for _, g := range groups {
		items := make([]Update, 0, len(g))
		for _, i := range g {
			items = append(items, list[i])
		}
		if err := s.sendMail(ctx, from, to, s.updateMail(from, to, items, perVersion)); err != nil {
			return fmt.Errorf("send update notification: %w", err)
		}
		for _, i := range g {
			list[i].NotifyStatus = list[i].Version
		}
		if err := s.writeCache(list); err != nil {
			return err
		}
		if len(items) == 1 {
			fmt.Fprintf(log, "sent update notification for %s %s to %s\n", items[0].Package, items[0].Version, to)
		} else {
			fmt.Fprintf(log, "sent update notification for %d package(s) to %s\n", len(items), to)
		}
	}
	return nil
}

func (s *Service) rootEmail(ctx context.Context) (string, error) {
	if s.cfg.Mail.Users == nil {
		return "", nil
	}
	u, err := s.cfg.Mail.Users.User(ctx, access.RootUser)
	return u.Email, err
}

// from is the sender: MailConfig.From, else datacenter.cfg's email_from
// (as Proxmox), else root@HOSTNAME.
func (s *Service) from(ctx context.Context) (string, error) {
	if s.cfg.Mail.From != "" {
		return s.cfg.Mail.From, nil
	}
	dc, err := s.datacenter(ctx)
	if err != nil {
		return "", err
	}
	if f := DatacenterValue(dc, "email_from"); f != "" && !strings.ContainsAny(f, "\r\n ") {
		return f, nil
	}
	h := s.cfg.Mail.Hostname
	if h == "" {
		h = "localhost"
	}
	return "root@" + h, nil
}

// updateMail is the notification message (headers and plain-text body);
// a mail about one version names it in the subject.
func (s *Service) updateMail(from, to string, items []Update, single bool) []byte {
	var b bytes.Buffer
	h := s.cfg.Mail.Hostname
	subject := fmt.Sprintf("New software packages available (%s)", h)
	if single {
		subject = fmt.Sprintf("New software package available (%s): %s %s", h, items[0].Package, items[0].Version)
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n", from, to, subject)
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
func (s *Service) sendMail(ctx context.Context, from, to string, msg []byte) error {
	if strings.ContainsAny(to, "\r\n") || strings.HasPrefix(to, "-") {
		return fmt.Errorf("invalid address '%s'", to)
	}
	sm := s.cfg.Mail.Sendmail
	if sm == "" {
		sm = "/usr/sbin/sendmail"
	}
	if s.cfg.Root.Exists(sm) {
		_, err := s.cfg.Runner.Run(ctx, host.Cmd{Argv: []string{s.cfg.Root.Path(sm), "-i", "-f", from, "--", to},
			Stdin: msg, Timeout: time.Minute})
		return err
	}
	if s.cfg.Mail.Relay == "" {
		return fmt.Errorf("no sendmail at %s and no SMTP relay configured", sm)
	}
	return smtp.SendMail(s.cfg.Mail.Relay, nil, from, []string{to}, msg)
}
