package access

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

const testUserCfg = `user:alice@pve:1:0::::::
token:alice@pve!sep:0:1::
token:alice@pve!full:0:0::
user:bob@pve:1:0::::::
user:carol@pve:0:0::::::
user:dave@pve:1:1000::::::

group:ops:bob@pve:Ops:

role:Custom:Sys.Audit,VM.Audit:

acl:1:/:alice@pve:PVEAuditor:
acl:0:/nodes:@ops:PVESysAdmin:
acl:1:/vms:@ops:PVEVMUser:
acl:1:/vms:alice@pve!sep:PVEVMAdmin:
acl:1:/vms/200:alice@pve:NoAccess:
acl:1:/storage:bob@pve:PVEDatastoreUser:
acl:0:/storage/local:bob@pve:Custom:
`

func TestTicket(t *testing.T) {
	s, _, clk := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	tk := s.CreateTicket("alice@pve")
	if !strings.HasPrefix(tk, "PVE:alice@pve:6553F100::") {
		t.Fatalf("ticket %q", tk)
	}
	if u, err := s.VerifyTicket(tk); err != nil || u != "alice@pve" {
		t.Fatalf("VerifyTicket = %q, %v", u, err)
	}
	for name, bad := range map[string]string{
		"tampered user": strings.Replace(tk, "alice", "alicf", 1),
		"tampered time": strings.Replace(tk, "6553F100", "6553F101", 1),
		"bad sig":       tk[:len(tk)-4] + "AAAA",
		"garbage":       "PVE:x",
		"disabled user": s.CreateTicket("carol@pve"),
		"expired user":  s.CreateTicket("dave@pve"),
		"unknown user":  s.CreateTicket("zed@pve"),
	} {
		if _, err := s.VerifyTicket(bad); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	clk.Add(2*time.Hour - time.Second)
	if _, err := s.VerifyTicket(tk); err != nil {
		t.Errorf("ticket just before expiry: %v", err)
	}
	clk.Add(time.Second)
	if _, err := s.VerifyTicket(tk); err == nil {
		t.Error("expired ticket accepted")
	}
	// Clock skew: a ticket from a node up to 5 minutes ahead is fine.
	future := s.CreateTicket("alice@pve")
	clk.Add(-4 * time.Minute)
	if _, err := s.VerifyTicket(future); err != nil {
		t.Errorf("4 min skew: %v", err)
	}
	clk.Add(-2 * time.Minute)
	if _, err := s.VerifyTicket(future); err == nil {
		t.Error("6 min skew accepted")
	}
}

func TestTicketUserDisabledLater(t *testing.T) {
	s, _, _ := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	tk := s.CreateTicket("bob@pve")
	if _, err := s.VerifyTicket(tk); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateUser(context.Background(), Identity{User: RootUser}, "bob@pve", func(u *User) error { u.Enable = 0; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyTicket(tk); err == nil {
		t.Fatal("ticket of a disabled user accepted")
	}
}

func TestCSRF(t *testing.T) {
	s, _, clk := newTestService(t, nil)
	tok := s.CSRFToken("root@pam")
	if len(tok) != 8+1+43 {
		t.Fatalf("token %q", tok)
	}
	if !s.VerifyCSRF(tok, "root@pam") {
		t.Fatal("valid token refused")
	}
	if s.VerifyCSRF(tok, "alice@pve") || s.VerifyCSRF(tok[:20]+"x"+tok[21:], "root@pam") || s.VerifyCSRF("", "root@pam") {
		t.Fatal("bad token accepted")
	}
	clk.Add(2 * time.Hour)
	if s.VerifyCSRF(tok, "root@pam") {
		t.Fatal("expired token accepted")
	}
}

func TestAPIToken(t *testing.T) {
	s, _, clk := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	ctx := context.Background()
	full, secret, err := s.CreateToken(ctx, Identity{User: RootUser}, "bob@pve", "ci", 1, clk.Now().Unix()+3600, "")
	if err != nil || full != "bob@pve!ci" || len(secret) != 36 {
		t.Fatalf("CreateToken = %q, %q, %v", full, secret, err)
	}
	id, err := s.VerifyAPIToken(full + "=" + secret)
	if err != nil || id.AuthID() != full {
		t.Fatalf("VerifyAPIToken = %+v, %v", id, err)
	}
	if _, err := s.VerifyAPIToken(full + "=" + strings.Repeat("0", 36)); err == nil {
		t.Error("bad secret accepted")
	}
	if _, _, err := s.CreateToken(ctx, Identity{User: RootUser}, "bob@pve", "ci", 1, 0, ""); err == nil || err.Error() != "generating token failed: Token already exists." {
		t.Errorf("duplicate token: %v", err)
	}
	clk.Add(2 * time.Hour)
	if _, err := s.VerifyAPIToken(full + "=" + secret); err == nil {
		t.Error("expired token accepted")
	}
	_, secret2, _ := s.CreateToken(ctx, Identity{User: RootUser}, "bob@pve", "ci2", 0, 0, "")
	if err := s.DeleteUser(ctx, Identity{User: RootUser}, "bob@pve"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyAPIToken("bob@pve!ci2=" + secret2); err == nil {
		t.Error("token of deleted user accepted")
	}
}

func TestTokenFromOtherProcess(t *testing.T) {
	s1, store, clk := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	s2, err := New(Config{Store: store, Clock: clk.Now, Revalidate: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.VerifyAPIToken("bob@pve!x1=nope"); err == nil {
		t.Fatal("unknown token accepted")
	}
	full, secret, err := s1.CreateToken(context.Background(), Identity{User: RootUser}, "bob@pve", "x1", 0, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.VerifyAPIToken(full + "=" + secret); err != nil {
		t.Fatalf("token created by another instance refused: %v", err)
	}
}

func privSet(t *testing.T, s *Service, id Identity, path string) string {
	t.Helper()
	p, err := s.Privileges(context.Background(), id, path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(slices.Sorted(maps.Keys(p)), ",")
}

func TestACLEvaluation(t *testing.T) {
	s, _, _ := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	alice, bob := Identity{User: "alice@pve"}, Identity{User: "bob@pve"}
	auditor := "Datastore.Audit,Mapping.Audit,Pool.Audit,SDN.Audit,Sys.Audit,VM.Audit,VM.GuestAgent.Audit"
	for _, c := range []struct {
		name string
		id   Identity
		path string
		want string
	}{
		{"propagated from /", alice, "/vms/100", auditor},
		{"NoAccess overrides", alice, "/vms/200", ""},
		{"NoAccess propagates", alice, "/vms/200/x", ""},
		{"propagate=0 exact path", bob, "/nodes", "Sys.Audit,Sys.Console,Sys.Syslog"},
		{"propagate=0 not below", bob, "/nodes/n1", ""},
		{"group grant", bob, "/vms/100", "VM.Audit,VM.Backup,VM.Config.CDROM,VM.Config.Cloudinit,VM.Console," +
			"VM.GuestAgent.Audit,VM.GuestAgent.FileRead,VM.GuestAgent.FileSystemMgmt,VM.GuestAgent.FileWrite,VM.PowerMgmt"},
		{"user entry replaces inherited", bob, "/storage/local", "Sys.Audit,VM.Audit"},
		{"inherited below", bob, "/storage/nfs", "Datastore.AllocateSpace,Datastore.Audit"},
		{"no grant", bob, "/", ""},
		{"privsep token = token ∩ user", Identity{User: "alice@pve", TokenID: "sep"}, "/vms/100", "VM.Audit,VM.GuestAgent.Audit"},
		{"privsep token without token acl", Identity{User: "alice@pve", TokenID: "sep"}, "/", ""},
		{"privsep token, user NoAccess", Identity{User: "alice@pve", TokenID: "sep"}, "/vms/200", ""},
		{"full token = user", Identity{User: "alice@pve", TokenID: "full"}, "/vms/100", auditor},
		{"unknown token", Identity{User: "alice@pve", TokenID: "nope"}, "/", ""},
	} {
		if got := privSet(t, s, c.id, c.path); got != c.want {
			t.Errorf("%s: %s on %s = %s, want %s", c.name, c.id.AuthID(), c.path, got, c.want)
		}
	}
	ctx := context.Background()
	if ok, _ := s.HasPrivs(ctx, Identity{User: RootUser}, "/", []string{"Sys.Modify"}, false); !ok {
		t.Error("root@pam denied")
	}
	if ok, _ := s.HasPrivs(ctx, bob, "/nodes", []string{"Sys.Audit", "Sys.Modify"}, false); ok {
		t.Error("all-of check passed with one missing")
	}
	if ok, _ := s.HasPrivs(ctx, bob, "/nodes", []string{"Sys.Audit", "Sys.Modify"}, true); !ok {
		t.Error("any-of check failed")
	}
	if _, err := s.HasPrivs(ctx, bob, "/", []string{"VM.Monitor"}, false); err == nil || err.Error() != "invalid privilege 'VM.Monitor'" {
		t.Errorf("unknown privilege: %v", err)
	}
}

func TestCapAuditor(t *testing.T) {
	s, _, _ := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	c, err := s.Cap(context.Background(), Identity{User: "alice@pve"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for k, v := range c {
		got[k] = strings.Join(slices.Sorted(maps.Keys(v)), ",")
	}
	want := map[string]string{"vms": "VM.Audit,VM.GuestAgent.Audit", "access": "", "storage": "Datastore.Audit",
		"nodes": "Sys.Audit", "sdn": "SDN.Audit", "dc": "SDN.Audit,Sys.Audit", "mapping": "Mapping.Audit"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("cap[%s] = %s, want %s", k, got[k], w)
		}
	}
	if len(got) != 7 {
		t.Errorf("cap keys %v", got)
	}
	perms, _ := s.Permissions(context.Background(), Identity{User: "alice@pve"}, "")
	if _, ok := perms["/vms/200"]; ok || perms["/"]["Sys.Audit"] != 1 {
		t.Errorf("permissions = %v", perms)
	}
}

func TestUserAdmin(t *testing.T) {
	s, store, _ := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	ctx := context.Background()
	err := s.CreateUser(ctx, User{UserID: "bob@pve", Enable: 1}, "")
	if !errors.Is(err, ErrUserExists) || err.Error() != "create user failed: user 'bob@pve' already exists" {
		t.Fatalf("duplicate user: %v", err)
	}
	if err := s.CreateUser(ctx, User{UserID: "eve@pve", Enable: 1, Groups: []string{"ops"}, Comment: "a:b"}, "s3cret!!"); err != nil {
		t.Fatal(err)
	}
	if err := s.ModifyACL(ctx, Identity{User: RootUser}, "//vms/100/", []string{"PVEVMUser"}, []string{"eve@pve"}, nil, nil, true, false); err != nil {
		t.Fatal(err)
	}
	if err := s.ModifyACL(ctx, Identity{User: RootUser}, "/vms", []string{"Nope"}, []string{"eve@pve"}, nil, nil, true, false); !errors.Is(err, ErrNoSuchRole) {
		t.Fatalf("unknown role: %v", err)
	}
	if err := s.ModifyACL(ctx, Identity{User: RootUser}, "/bogus/x", []string{"PVEVMUser"}, []string{"eve@pve"}, nil, nil, true, false); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad path: %v", err)
	}
	e, _ := store.Get(ctx, PathUserCfg)
	for _, want := range []string{"user:eve@pve:1:0::::a%3Ab::", "group:ops:bob@pve,eve@pve:Ops:", "acl:1:/vms/100:eve@pve:PVEVMUser:"} {
		if !strings.Contains(string(e.Data), want) {
			t.Errorf("user.cfg lacks %q:\n%s", want, e.Data)
		}
	}
	sh, _ := store.Get(ctx, PathShadowCfg)
	if !strings.HasPrefix(string(sh.Data), "eve:$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("shadow.cfg = %q", sh.Data)
	}
	if u, err := s.Login(ctx, "eve", "pve", "s3cret!!", "10.0.0.1"); err != nil || u != "eve@pve" {
		t.Fatalf("Login = %q, %v", u, err)
	}
	if err := s.SetPassword(ctx, Identity{User: RootUser}, "root@pam", "x"); !errors.Is(err, ErrNotSupported) {
		t.Errorf("pam password: %v", err)
	}
	if err := s.DeleteUser(ctx, Identity{User: RootUser}, "eve@pve"); err != nil {
		t.Fatal(err)
	}
	e, _ = store.Get(ctx, PathUserCfg)
	sh, _ = store.Get(ctx, PathShadowCfg)
	if strings.Contains(string(e.Data), "eve") || strings.Contains(string(sh.Data), "eve") {
		t.Errorf("eve left behind:\n%s\n%s", e.Data, sh.Data)
	}
	if _, err := s.User(ctx, "eve@pve"); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("User after delete: %v", err)
	}
}

func TestLoginPVE(t *testing.T) {
	s, _, _ := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	ctx := context.Background()
	for _, u := range []string{"bob@pve", "carol@pve"} {
		if err := s.SetPassword(ctx, Identity{User: RootUser}, u, "right-password"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Login(ctx, "bob@pve", "", "right-password", "a"); err != nil {
		t.Fatalf("good password: %v", err)
	}
	for _, c := range [][3]string{{"bob", "pve", "wrong"}, {"carol", "pve", "right-password"},
		{"nobody", "pve", "x"}, {"bob", "ldap", "right-password"}, {"bob", "pve", ""}} {
		if _, err := s.Login(ctx, c[0], c[1], c[2], "b"); err != ErrAuthFailed {
			t.Errorf("Login(%v) = %v, want ErrAuthFailed", c, err)
		}
	}
	// Renewal: a valid ticket works as the password, root's for anyone.
	if _, err := s.Login(ctx, "bob@pve", "", s.CreateTicket("bob@pve"), "a"); err != nil {
		t.Errorf("renewal: %v", err)
	}
	if _, err := s.Login(ctx, "bob@pve", "", s.CreateTicket(RootUser), "a"); err != nil {
		t.Errorf("root renewal: %v", err)
	}
	if _, err := s.Login(ctx, "bob@pve", "", s.CreateTicket("alice@pve"), "a"); err == nil {
		t.Error("another user's ticket accepted")
	}
}

func TestThrottle(t *testing.T) {
	s, _, clk := newTestService(t, nil)
	ctx := context.Background()
	for range 10 {
		s.Login(ctx, "x@pve", "", "bad", "192.0.2.1")
	}
	if s.LoginAllowed("192.0.2.1") || !s.LoginAllowed("192.0.2.2") {
		t.Fatal("throttle not per address")
	}
	clk.Add(5 * time.Minute)
	if !s.LoginAllowed("192.0.2.1") {
		t.Fatal("throttle did not expire")
	}
}

func BenchmarkVerifyTicket(b *testing.B) {
	s, _, _ := newTestService(b, map[string]string{PathUserCfg: testUserCfg})
	tk := s.CreateTicket("alice@pve")
	if _, err := s.VerifyTicket(tk); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.VerifyTicket(tk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAPIToken(b *testing.B) {
	s, _, _ := newTestService(b, map[string]string{PathUserCfg: testUserCfg})
	full, secret, err := s.CreateToken(context.Background(), Identity{User: RootUser}, "bob@pve", "bench", 1, 0, "")
	if err != nil {
		b.Fatal(err)
	}
	h := full + "=" + secret
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.VerifyAPIToken(h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyTicketSignature is the uncached path: the RSA signature
// check a ticket costs before it enters the cache.
func BenchmarkVerifyTicketSignature(b *testing.B) {
	s, _, _ := newTestService(b, map[string]string{PathUserCfg: testUserCfg})
	tk := s.CreateTicket("alice@pve")
	st, err := s.snapshot(context.Background(), false)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.verifyTicketSig(st, tk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckPasswordDefaultKDF is one login check with the production
// argon2id parameters.
func BenchmarkCheckPasswordDefaultKDF(b *testing.B) {
	h, err := HashPassword("correct horse", defaultKDF)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !CheckPassword("correct horse", h) {
			b.Fatal("password refused")
		}
	}
}

// lagStore answers Revision from a member that has not applied the latest
// writes yet, as a serializable etcd read on a follower can.
type lagStore struct {
	*memStore
	rev int64
}

func (l *lagStore) Revision(context.Context) (int64, error) { return l.rev, nil }

// A user added on another node logs in and presents tickets here before
// this member's own revision has caught up: the forced look at the store
// must read the files, not trust the lagging revision.
func TestUserFromOtherNodeWhileRevisionLags(t *testing.T) {
	s1, store, clk := newTestService(t, map[string]string{PathUserCfg: testUserCfg})
	lag := &lagStore{memStore: store}
	lag.rev, _ = store.Revision(context.Background())
	s2, err := New(Config{Store: lag, Clock: clk.Now, Revalidate: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.VerifyTicket(s1.CreateTicket("zed@pve")); err == nil {
		t.Fatal("ticket of an unknown user accepted")
	}
	if err := s1.CreateUser(context.Background(), User{UserID: "zed@pve", Enable: 1}, ""); err != nil {
		t.Fatal(err)
	}
	if u, err := s2.VerifyTicket(s1.CreateTicket("zed@pve")); err != nil || u != "zed@pve" {
		t.Fatalf("ticket of a user made elsewhere: %q, %v", u, err)
	}
}
