package apt_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"hostadm/internal/apt"
	"hostadm/internal/host"
)

// mailbox is a real SMTP server on loopback that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

type mailSession struct{ mb *mailbox }

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{b}, nil }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mb.mu.Lock()
	s.mb.rcpt = append(s.mb.rcpt, to)
	s.mb.mu.Unlock()
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, string(b))
	s.mb.mu.Unlock()
	return err
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func startMailbox(t *testing.T) (*mailbox, string) {
	mb := &mailbox{}
	srv := smtp.NewServer(mb)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return mb, l.Addr().String()
}

// TestNotifyMail: apt/update with notify mails root once about the new
// versions through a real SMTP server; a second run sends nothing.
func TestNotifyMail(t *testing.T) {
	needTools(t)
	mb, addr := startMailbox(t)
	repo := newTestRepo(t)
	repo.publish(t, "bookworm", []testPkg{{"hello", "2.0", ""}}, false)
	dir := t.TempDir()
	repo.prepareSandbox(t, dir, "bookworm", []testPkg{{"hello", "1.0", ""}})
	root, _ := host.NewRoot(dir)
	svc := apt.New(apt.Config{Root: root, Runner: host.ExecRunner{}, Mail: apt.MailConfig{
		Relay: addr, Hostname: "testnode.example.com",
		Users: rootWithEmail(t, "admin@example.com"),
	}})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		var log bytes.Buffer
		if err := svc.UpdateDatabase(ctx, &log, apt.UpdateOptions{Notify: true, Quiet: true}); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, log.String())
		}
	}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if len(mb.msgs) != 1 {
		t.Fatalf("got %d mails, want 1", len(mb.msgs))
	}
	m := mb.msgs[0]
	for _, want := range []string{"To: admin@example.com", "Subject: New software packages available (testnode.example.com)", "hello", "1.0", "2.0"} {
		if !strings.Contains(m, want) {
			t.Errorf("mail lacks %q:\n%s", want, m)
		}
	}
	if mb.rcpt[0] != "admin@example.com" {
		t.Errorf("rcpt %v", mb.rcpt)
	}
	list, err := svc.Updates(ctx)
	if err != nil || len(list) != 1 || list[0].NotifyStatus != "2.0" {
		t.Errorf("NotifyStatus not recorded: %+v %v", list, err)
	}
}
