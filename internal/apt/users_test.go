package apt_test

import (
	"context"
	"path/filepath"
	"testing"

	"hostadm/internal/access"
	"hostadm/internal/cfs"
)

// rootWithEmail is a real access service over a fresh SQLite store in
// which root@pam has the given e-mail address.
func rootWithEmail(t *testing.T, email string) *access.Service {
	t.Helper()
	store, err := cfs.OpenSQLite(filepath.Join(t.TempDir(), "config.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	users, err := access.New(access.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	err = users.UpdateUser(context.Background(), access.Identity{User: access.RootUser}, access.RootUser, func(u *access.User) error {
		u.Email = email
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return users
}
