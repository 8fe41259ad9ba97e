package access

import (
	"context"
	"maps"
	"slices"
	"strings"

	"hostadm/internal/schema"
)

func toUser(id string, u *UserEntry) User {
	out := User{UserID: id, Enable: schema.Flag(u.Enable), Expire: u.Expire, Firstname: u.Firstname,
		Lastname: u.Lastname, Email: u.Email, Comment: u.Comment, Keys: u.Keys, Groups: slices.Sorted(maps.Keys(u.Groups))}
	for _, t := range slices.Sorted(maps.Keys(u.Tokens)) {
		te := u.Tokens[t]
		out.Tokens = append(out.Tokens, Token{TokenID: t, Expire: te.Expire, PrivSep: schema.Flag(te.PrivSep), Comment: te.Comment})
	}
	return out
}

// Users lists every user, sorted by user id.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, id := range slices.Sorted(maps.Keys(st.users.Users)) {
		out = append(out, toUser(id, st.users.Users[id]))
	}
	return out, nil
}

// User returns one user, or an ErrNoSuchUser error ("no such user ('<id>')").
func (s *Service) User(ctx context.Context, userid string) (User, error) {
	st, err := s.snapshot(ctx, true)
	if err != nil {
		return User{}, err
	}
	u := st.users.Users[userid]
	if u == nil {
		return User{}, errorf(ErrNoSuchUser, "no such user ('%s')", userid)
	}
	return toUser(userid, u), nil
}

// checkUserFields refuses values that would break the colon-separated
// line: email and keys are stored verbatim (the other texts are encoded).
func checkUserFields(u *User) error {
	for name, v := range map[string]string{"email": u.Email, "keys": u.Keys} {
		if strings.ContainsAny(v, ":\n\r\t ") {
			return invalidf("invalid %s '%s'", name, v)
		}
	}
	return nil
}

func (t *txn) setUser(u User) error {
	if err := checkUserFields(&u); err != nil {
		return err
	}
	for _, g := range u.Groups {
		if t.users.Groups[g] == nil {
			return errorf(ErrNoSuchGroup, "no such group '%s'", g)
		}
	}
	e := t.users.Users[u.UserID]
	if e == nil {
		e = &UserEntry{}
		t.users.Users[u.UserID] = e
	}
	e.Enable, e.Expire = u.Enable != 0, u.Expire
	e.Firstname, e.Lastname, e.Email, e.Comment, e.Keys = u.Firstname, u.Lastname, u.Email, u.Comment, u.Keys
	for g := range e.Groups {
		delete(t.users.Groups[g].Users, u.UserID)
	}
	e.Groups = nil
	for _, g := range u.Groups {
		e.addGroup(g)
		t.users.Groups[g].Users[u.UserID] = true
	}
	t.dirty(PathUserCfg)
	return nil
}

// CreateUser adds a user; a password is only accepted for the pve realm
// and stored as an argon2id hash in shadow.cfg.
func (s *Service) CreateUser(ctx context.Context, u User, password string) error {
	name, realm, err := SplitUserID(u.UserID)
	if err != nil {
		return err
	}
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return err
	}
	rt := st.realmType(realm)
	if rt == "" {
		return invalidf("create user failed: auth domain '%s' does not exist", realm)
	}
	var hash string
	if password != "" {
		if rt != "pve" {
			return errorf(ErrNotSupported, "create user failed: can't set password on auth type '%s'", rt)
		}
		if hash, err = HashPassword(password, s.cfg.KDF); err != nil {
			return err
		}
	}
	return s.modify(ctx, "create user failed", func(t *txn) error {
		if t.users.Users[u.UserID] != nil {
			return errorf(ErrUserExists, "user '%s' already exists", u.UserID)
		}
		if hash != "" {
			t.shadow.Hashes[name] = hash
			t.dirty(PathShadowCfg)
		}
		return t.setUser(u)
	})
}

// UpdateUser applies set to the user under the lock, on behalf of caller
// (see guardAccount). The user id and the tokens cannot be changed this
// way; Groups replaces the memberships.
func (s *Service) UpdateUser(ctx context.Context, caller Identity, userid string, set func(*User) error) error {
	return s.modify(ctx, "update user failed", func(t *txn) error {
		e := t.users.Users[userid]
		if e == nil {
			return errorf(ErrNoSuchUser, "no such user ('%s')", userid)
		}
		if err := t.guardAccount(caller, userid, s.now()); err != nil {
			return err
		}
		u := toUser(userid, e)
		if err := set(&u); err != nil {
			return err
		}
		u.UserID = userid
		return t.setUser(u)
	})
}

// DeleteUser removes a user with its group memberships, ACL entries, API
// tokens (metadata, secrets and their ACL entries) and pve password, on
// behalf of caller (see guardAccount).
func (s *Service) DeleteUser(ctx context.Context, caller Identity, userid string) error {
	name, realm, err := SplitUserID(userid)
	if err != nil {
		return err
	}
	return s.modify(ctx, "delete user failed", func(t *txn) error {
		e := t.users.Users[userid]
		if e == nil {
			return errorf(ErrNoSuchUser, "no such user ('%s')", userid)
		}
		if err := t.guardAccount(caller, userid, s.now()); err != nil {
			return err
		}
		for tok := range e.Tokens {
			full := userid + "!" + tok
			delete(t.tokens.Secrets, full)
			t.users.dropACLMember(full)
		}
		for g := range e.Groups {
			delete(t.users.Groups[g].Users, userid)
		}
		for _, ge := range t.users.Groups {
			delete(ge.Users, userid)
		}
		t.users.dropACLMember(userid)
		delete(t.users.Users, userid)
		t.dirty(PathUserCfg) // first: the tokens stop working at once
		t.dirty(PathTokenCfg)
		if _, ok := t.shadow.Hashes[name]; ok && realm == "pve" {
			delete(t.shadow.Hashes, name)
			t.dirty(PathShadowCfg)
		}
		return nil
	})
}

func (c *UserConfig) dropACLMember(id string) {
	for p, n := range c.ACL {
		delete(n.Users, id)
		delete(n.Tokens, id)
		if len(n.Users)+len(n.Groups)+len(n.Tokens) == 0 {
			delete(c.ACL, p)
		}
	}
}

// SetPassword sets the password of a pve-realm user on behalf of caller
// (see guardPrivileges). Other realms are
// refused with Proxmox's "can't set password on auth type '<type>'"
// (hostadm does not change system passwords of PAM users).
func (s *Service) SetPassword(ctx context.Context, caller Identity, userid, password string) error {
	name, realm, err := SplitUserID(userid)
	if err != nil {
		return err
	}
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return err
	}
	if rt := st.realmType(realm); rt != "pve" {
		if rt == "" {
			return invalidf("auth domain '%s' does not exist", realm)
		}
		return errorf(ErrNotSupported, "can't set password on auth type '%s'", rt)
	}
	hash, err := HashPassword(password, s.cfg.KDF)
	if err != nil {
		return err
	}
	return s.modify(ctx, "change password failed", func(t *txn) error {
		if t.users.Users[userid] == nil {
			return errorf(ErrNoSuchUser, "no such user ('%s')", userid)
		}
		if err := s.guardPrivileges(t, caller, userid); err != nil {
			return err
		}
		t.shadow.Hashes[name] = hash
		t.dirty(PathShadowCfg)
		return nil
	})
}
