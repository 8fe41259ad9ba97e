package access

import (
	"context"
	"errors"
	"testing"
)

// TestACLKeepsAnAdministrator: an ACL change by anyone but root@pam that
// takes the Administrator role on "/" from the last enabled account
// besides root@pam is refused and changes nothing, whether the role came
// from a user entry or from a group's, or is covered by a NoAccess;
// while another Administrator remains, the same change is allowed, and
// root@pam may always make it.
func TestACLKeepsAnAdministrator(t *testing.T) {
	const cfg = `user:boss@pve:1:0::::::
user:ops1@pve:1:0::::::
user:ops2@pve:0:0::::::
user:pa@pve:1:0::::::

group:ops:ops1@pve,ops2@pve:Ops:

acl:1:/:@ops:Administrator:
acl:1:/:boss@pve:Administrator:
acl:1:/access:pa@pve:Administrator:
`
	ctx := context.Background()
	s, st, _ := newTestService(t, map[string]string{PathUserCfg: cfg})
	boss := Identity{User: "boss@pve"}
	root := Identity{User: RootUser}
	// ops1 (through its group) and boss are Administrators: boss may take
	// the group's role away; then boss is the last one.
	if err := s.ModifyACL(ctx, boss, "/", []string{"Administrator"}, nil, []string{"ops"}, nil, true, true); err != nil {
		t.Fatalf("remove the group's role while boss remains: %v", err)
	}
	before := string(st.files[PathUserCfg].Data)
	for name, try := range map[string]func() error{
		"remove own role": func() error {
			return s.ModifyACL(ctx, boss, "/", []string{"Administrator"}, []string{"boss@pve"}, nil, nil, true, true)
		},
		"NoAccess over it": func() error {
			return s.ModifyACL(ctx, boss, "/", []string{"NoAccess"}, []string{"boss@pve"}, nil, nil, true, false)
		},
		"by another user admin": func() error {
			return s.ModifyACL(ctx, Identity{User: "pa@pve"}, "/", []string{"Administrator"}, []string{"boss@pve"}, nil, nil, true, true)
		},
		"by a token of root@pam": func() error {
			return s.ModifyACL(ctx, Identity{User: RootUser, TokenID: "ci"}, "/", []string{"Administrator"}, []string{"boss@pve"}, nil, nil, true, true)
		},
	} {
		if err := try(); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: %v, want ErrForbidden", name, err)
		}
	}
	if after := string(st.files[PathUserCfg].Data); after != before {
		t.Errorf("refused changes wrote user.cfg:\n%s\nwas:\n%s", after, before)
	}
	// A group whose only enabled member is the last Administrator: the
	// same rule for the group's entry.
	if err := s.ModifyACL(ctx, root, "/", []string{"Administrator"}, nil, []string{"ops"}, nil, true, false); err != nil {
		t.Fatal(err)
	}
	if err := s.ModifyACL(ctx, root, "/", []string{"Administrator"}, []string{"boss@pve"}, nil, nil, true, true); err != nil {
		t.Fatalf("root@pam removes boss's role: %v", err)
	}
	if err := s.ModifyACL(ctx, boss, "/", []string{"Administrator"}, nil, []string{"ops"}, nil, true, true); !errors.Is(err, ErrForbidden) {
		t.Errorf("remove the group role of the last Administrator: %v, want ErrForbidden", err)
	}
	if err := s.ModifyACL(ctx, root, "/", []string{"Administrator"}, nil, []string{"ops"}, nil, true, true); err != nil {
		t.Errorf("root@pam removes the last one: %v", err)
	}
}
