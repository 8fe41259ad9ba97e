package access

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"hostadm/internal/cfs"
)

// TestKeyRotation: the ticket-signing key never changed. It is replaced
// once older than a day (by its age in the store, so a restart does not
// reset it); tickets signed with the previous key stay valid, those of
// the key before that do not.
func TestKeyRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfs.db")
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	open := func() *Service {
		st, err := cfs.OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		s, err := New(Config{Store: st, Clock: clock, Revalidate: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EnsureKeys(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	if rotated, err := s.RotateKeys(ctx); err != nil || rotated {
		t.Fatalf("fresh key rotated: %v %v", rotated, err)
	}
	first := s.CreateTicket(RootUser)
	now = now.Add(25 * time.Hour) // the daemon restarts a day later
	s = open()
	if rotated, err := s.RotateKeys(ctx); err != nil || !rotated {
		t.Fatalf("day-old key not rotated: %v %v", rotated, err)
	}
	second := s.CreateTicket(RootUser)
	for name, tk := range map[string]string{"previous key": first, "new key": second} {
		if _, err := s.verifyTicketSig(mustState(t, s), tk); err != nil {
			t.Errorf("ticket of the %s refused: %v", name, err)
		}
	}
	// The store dates the new key by the real clock.
	now = time.Now().Add(time.Hour)
	if rotated, _ := s.RotateKeys(ctx); rotated {
		t.Error("rotated again within the day")
	}
	now = time.Now().Add(25 * time.Hour)
	if rotated, err := s.RotateKeys(ctx); err != nil || !rotated {
		t.Fatalf("second rotation: %v %v", rotated, err)
	}
	if _, err := s.verifyTicketSig(mustState(t, s), first); err == nil {
		t.Error("a ticket signed two keys ago is still accepted")
	}
}

func mustState(t *testing.T, s *Service) *state {
	st, err := s.snapshot(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
