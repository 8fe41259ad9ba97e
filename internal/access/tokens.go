package access

import (
	"context"

	"hostadm/internal/schema"
)

// CreateToken creates an API token for userid and returns its full id and
// its secret (a random UUID, shown only once). The secret is written to
// token.cfg before the metadata to user.cfg, so a half-done creation
// leaves no usable token. caller must be allowed to (see guardPrivileges).
func (s *Service) CreateToken(ctx context.Context, caller Identity, userid, tokenid string, privsep int, expire int64, comment string) (string, string, error) {
	if _, _, err := SplitUserID(userid); err != nil {
		return "", "", err
	}
	if !tokenRe().MatchString(tokenid) {
		return "", "", invalidf("invalid token ID '%s'", tokenid)
	}
	secret, err := newUUID()
	if err != nil {
		return "", "", err
	}
	full := userid + "!" + tokenid
	err = s.modify(ctx, "generating token failed", func(t *txn) error {
		u := t.users.Users[userid]
		if u == nil {
			return errorf(ErrNoSuchUser, "no such user ('%s')", userid)
		}
		if u.Tokens[tokenid] != nil {
			return errorf(ErrTokenExists, "Token already exists.")
		}
		if err := s.guardPrivileges(t, caller, userid); err != nil {
			return err
		}
		if u.Tokens == nil {
			u.Tokens = map[string]*TokenEntry{}
		}
		u.Tokens[tokenid] = &TokenEntry{Expire: expire, PrivSep: privsep != 0, Comment: comment}
		t.tokens.Secrets[full] = secret
		t.dirty(PathTokenCfg)
		t.dirty(PathUserCfg)
		return nil
	})
	if err != nil {
		return "", "", err
	}
	return full, secret, nil
}

// UpdateToken applies set to a token's metadata (the id is kept), on
// behalf of caller (see guardPrivileges).
func (s *Service) UpdateToken(ctx context.Context, caller Identity, userid, tokenid string, set func(*Token) error) error {
	return s.modify(ctx, "updating token info failed", func(t *txn) error {
		te, err := t.token(userid, tokenid)
		if err != nil {
			return err
		}
		if err := s.guardPrivileges(t, caller, userid); err != nil {
			return err
		}
		tk := Token{TokenID: tokenid, Expire: te.Expire, PrivSep: schema.Flag(te.PrivSep), Comment: te.Comment}
		if err := set(&tk); err != nil {
			return err
		}
		te.Expire, te.PrivSep, te.Comment = tk.Expire, tk.PrivSep != 0, tk.Comment
		t.dirty(PathUserCfg)
		return nil
	})
}

// DeleteToken removes a token, its secret and its ACL entries, on behalf
// of caller (only root@pam removes root@pam's tokens).
func (s *Service) DeleteToken(ctx context.Context, caller Identity, userid, tokenid string) error {
	return s.modify(ctx, "deleting token failed", func(t *txn) error {
		if userid == RootUser && !isRoot(caller) {
			return errorf(ErrForbidden, "only root@pam may manage root@pam's API tokens")
		}
		if _, err := t.token(userid, tokenid); err != nil {
			return err
		}
		full := userid + "!" + tokenid
		delete(t.users.Users[userid].Tokens, tokenid)
		t.users.dropACLMember(full)
		delete(t.tokens.Secrets, full)
		t.dirty(PathUserCfg)
		t.dirty(PathTokenCfg)
		return nil
	})
}

func (t *txn) token(userid, tokenid string) (*TokenEntry, error) {
	u := t.users.Users[userid]
	if u == nil {
		return nil, errorf(ErrNoSuchUser, "no such user ('%s')", userid)
	}
	te := u.Tokens[tokenid]
	if te == nil {
		return nil, errorf(ErrNoSuchToken, "no such token '%s' for user '%s'", tokenid, userid)
	}
	return te, nil
}
