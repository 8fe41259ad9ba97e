package acme

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"

	"hostadm/internal/cfs"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// userAgent is what the ACME server sees.
const userAgent = "hostadm"

// Account is an account file, priv/acme/<name>, as Proxmox writes it:
// pretty-printed JSON with sorted keys.
type Account struct {
	Account   map[string]any `json:"account"`
	Directory string         `json:"directory"`
	Key       string         `json:"key"`
	Location  string         `json:"location"`
	TOS       string         `json:"tos,omitempty"`
}

// AccountPath is the store path of account name.
func AccountPath(name string) string { return accountDir + name }

// Accounts lists the account names (files in priv/acme whose name is a
// valid config id: deactivated ones and plugins.cfg are not).
func (s *Service) Accounts(ctx context.Context) ([]string, error) {
	entries, err := s.cfg.Store.List(ctx, accountDir)
	if err != nil {
		return nil, fmt.Errorf("list ACME accounts: %w", err)
	}
	var out []string
	for _, e := range entries {
		name := strings.TrimPrefix(e.Path, accountDir)
		if !strings.Contains(name, "/") && schema.CheckFormat("pve-configid", name) == "" {
			out = append(out, name)
		}
	}
	return out, nil
}

// LoadAccount reads account name.
func (s *Service) LoadAccount(ctx context.Context, name string) (*Account, int64, error) {
	e, err := s.cfg.Store.Get(ctx, AccountPath(name))
	if errors.Is(err, cfs.ErrNotFound) {
		return nil, 0, fmt.Errorf("ACME account config file '%s' does not exist.", name)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read ACME account '%s': %w", name, err)
	}
	var a Account
	if err := json.Unmarshal(e.Data, &a); err != nil {
		return nil, 0, fmt.Errorf("parse ACME account '%s': %w", name, err)
	}
	return &a, e.Version, nil
}

func (s *Service) saveAccount(ctx context.Context, name string, a *Account, version int64) error {
	b, err := json.MarshalIndent(a, "", "   ")
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.Put(ctx, AccountPath(name), append(b, '\n'), version); err != nil {
		return fmt.Errorf("write ACME account '%s': %w", name, err)
	}
	return nil
}

// key returns the account's private key.
func (a *Account) key() (crypto.Signer, error) {
	b, _ := pem.Decode([]byte(a.Key))
	if b == nil {
		return nil, errors.New("account key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse account key: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("account key cannot sign")
	}
	return signer, nil
}

// core opens the ACME directory with the account's key (and URL once
// registered).
func (s *Service) core(directory, location string, key crypto.Signer) (*api.Core, error) {
	if err := s.checkDirectory(directory); err != nil {
		return nil, err
	}
	c, err := api.New(s.http, userAgent, directory, location, key)
	if err != nil {
		return nil, fmt.Errorf("ACME directory %s: %w", directory, err)
	}
	return c, nil
}

// accountCore opens a registered account's directory with its key.
func (s *Service) accountCore(a *Account) (*api.Core, error) {
	key, err := a.key()
	if err != nil {
		return nil, err
	}
	return s.core(a.Directory, a.Location, key)
}

// openAccount reads account name and opens its directory with its key.
func (s *Service) openAccount(ctx context.Context, name string) (*Account, int64, *api.Core, error) {
	a, version, err := s.LoadAccount(ctx, name)
	if err != nil {
		return nil, 0, nil, err
	}
	core, err := s.accountCore(a)
	if err != nil {
		return nil, 0, nil, err
	}
	return a, version, core, nil
}

// Registration is a new account's parameters.
type Registration struct {
	Name, Directory, TOS string
	Contact              []string // e-mail addresses
	EABKid, EABHMAC      string
}

// CheckRegistration refuses a name in use; the API calls it before
// starting the task, so the error is a 400.
func (s *Service) CheckRegistration(ctx context.Context, name string) error {
	if _, err := s.cfg.Store.Get(ctx, AccountPath(name)); err == nil {
		return schema.Fail("name", fmt.Sprintf("ACME account config file '%s' already exists.", name))
	} else if !errors.Is(err, cfs.ErrNotFound) {
		return err
	}
	return nil
}

// Register creates a key, registers it with the CA and writes the
// account file (task acmeregister).
func (s *Service) Register(ctx context.Context, l *tasks.Log, r Registration) error {
	unlock, err := s.cfg.Store.Lock(ctx, lockName, lockWait)
	if err != nil {
		return fmt.Errorf("cfs-lock '%s' error: %w", lockName, err)
	}
	defer unlock()
	if err := s.CheckRegistration(ctx, r.Name); err != nil {
		return err
	}
	l.Printf("Generating ACME account key (RSA %d bits)...", s.cfg.AccountKeyBits)
	key, err := rsa.GenerateKey(rand.Reader, s.cfg.AccountKeyBits)
	if err != nil {
		return fmt.Errorf("generate account key: %w", err)
	}
	core, err := s.core(r.Directory, "", key)
	if err != nil {
		return err
	}
	msg := acme.Account{Contact: mailto(r.Contact), TermsOfServiceAgreed: r.TOS != ""}
	l.Printf("Registering new ACME account at %s...", r.Directory)
	var acc acme.ExtendedAccount
	if r.EABKid != "" {
		acc, err = core.Accounts.NewEAB(msg, r.EABKid, r.EABHMAC)
	} else {
		acc, err = core.Accounts.New(msg)
	}
	if err != nil {
		return fmt.Errorf("registration failed: %w", err)
	}
	file := &Account{Account: toMap(acc.Account), Directory: r.Directory, Key: string(pem.EncodeToMemory(
		&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})), Location: acc.Location, TOS: r.TOS}
	if err := s.saveAccount(ctx, r.Name, file, cfs.NoVersion); err != nil {
		return err
	}
	l.Printf("Registration successful, account URL: '%s'", acc.Location)
	return nil
}

// UpdateAccount sends new contacts, or with none refreshes the stored
// account object from the CA (tasks acmeupdate and acmerefresh).
func (s *Service) UpdateAccount(ctx context.Context, l *tasks.Log, name string, contact []string) error {
	return s.withAccount(ctx, name, func(a *Account, core *api.Core) error {
		var acc acme.Account
		var err error
		if len(contact) > 0 {
			l.Printf("Updating contact of ACME account '%s' to %s", name, strings.Join(contact, ", "))
			acc, err = core.Accounts.Update(a.Location, acme.Account{Contact: mailto(contact)})
		} else {
			l.Printf("Refreshing ACME account '%s'", name)
			acc, err = core.Accounts.Get(a.Location)
		}
		if err != nil {
			return fmt.Errorf("update account: %w", err)
		}
		a.Account = toMap(acc)
		return nil
	})
}

// DeactivateAccount deactivates the account at the CA and renames its file
// to _deactivated_<name>_<n> (task acmedeactivate).
func (s *Service) DeactivateAccount(ctx context.Context, l *tasks.Log, name string) error {
	a, version, core, err := s.openAccount(ctx, name)
	if err != nil {
		return err
	}
	l.Printf("Deactivating ACME account '%s' at %s", name, a.Location)
	if err := core.Accounts.Deactivate(a.Location); err != nil {
		return fmt.Errorf("deactivate account: %w", err)
	}
	a.Account["status"] = "deactivated"
	for n := 0; n <= 100; n++ {
		target := fmt.Sprintf("_deactivated_%s_%d", name, n)
		if err := s.saveAccount(ctx, target, a, cfs.NoVersion); errors.Is(err, cfs.ErrConflict) {
			continue
		} else if err != nil {
			return err
		}
		l.Printf("Account file renamed to '%s'", target)
		return s.cfg.Store.Delete(ctx, AccountPath(name), version)
	}
	return fmt.Errorf("no free name to keep the deactivated account '%s'", name)
}

// withAccount loads an account, opens its directory, runs fn and saves
// what fn changed.
func (s *Service) withAccount(ctx context.Context, name string, fn func(*Account, *api.Core) error) error {
	a, version, core, err := s.openAccount(ctx, name)
	if err != nil {
		return err
	}
	if err := fn(a, core); err != nil {
		return err
	}
	return s.saveAccount(ctx, name, a, version)
}

func mailto(addrs []string) []string {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, "mailto:"+a)
		}
	}
	return out
}

// toMap turns the CA's account object into a generic one, so the file
// keeps every field with sorted keys.
func toMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	return m
}
