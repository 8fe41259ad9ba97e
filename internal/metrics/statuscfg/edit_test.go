package statuscfg

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"hostadm/internal/cfs"
)

// TestEdit: a successful edit writes status.cfg and the token; a failing
// edit or a refused token writes neither.
func TestEdit(t *testing.T) {
	st, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "cfs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	create := func(id, token string, fail error) error {
		return Edit(ctx, st, func(f *File) (TokenChange, error) {
			if err := f.Config.Create(TypeInfluxDB, id, map[string]any{"server": "10.0.0.1", "port": "8086"}); err != nil {
				return TokenChange{}, err
			}
			return TokenChange{ID: id, Value: token, Set: true}, fail
		})
	}
	if err := create("influx", "tok", nil); err != nil {
		t.Fatal(err)
	}
	if tok, err := Token(ctx, st, "influx"); err != nil || tok != "tok" {
		t.Errorf("token %q, %v", tok, err)
	}
	boom := errors.New("boom")
	if err := create("failed", "tok", boom); !errors.Is(err, boom) {
		t.Errorf("failing edit: %v", err)
	}
	if err := create("badtoken", "a\nb", nil); err == nil {
		t.Error("a token with a newline was accepted")
	}
	f, err := Read(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"failed", "badtoken"} {
		if f.Config.Section(id) != nil {
			t.Errorf("%s was written", id)
		}
		if _, err := st.Get(ctx, TokenPath(id)); !errors.Is(err, cfs.ErrNotFound) {
			t.Errorf("%s's token was stored: %v", id, err)
		}
	}
	if err := Edit(ctx, st, func(f *File) (TokenChange, error) {
		return TokenChange{ID: "influx", Del: true}, f.Config.Delete("influx")
	}); err != nil {
		t.Fatal(err)
	}
	if tok, _ := Token(ctx, st, "influx"); tok != "" {
		t.Errorf("token left after delete: %q", tok)
	}
}
