package access

import (
	"context"
	"crypto/subtle"
	"strings"
)

// Login checks credentials and returns the user id. username may carry
// "@realm"; otherwise realm is appended. password may also be a valid
// ticket of that user (renewal; a ticket of root@pam renews for anyone).
// The user must exist in user.cfg, be enabled and not expired (root@pam
// always exists). Every failure is the one opaque ErrAuthFailed; the
// reason is logged, and counted against remoteAddr (see LoginAllowed).
func (s *Service) Login(ctx context.Context, username, realm, password, remoteAddr string) (string, error) {
	userid := username
	if realm != "" && !strings.Contains(username, "@") {
		userid += "@" + realm
	}
	if !s.fails.reserve(remoteAddr, s.now()) {
		s.cfg.Logger.WarnContext(ctx, "authentication failure", "rhost", remoteAddr, "user", userid,
			"msg", "too many failed logins from this address")
		return "", ErrAuthFailed
	}
	reason := s.login(ctx, userid, password, remoteAddr)
	s.fails.done(remoteAddr, reason != "", s.now())
	if reason == "" {
		return userid, nil
	}
	s.cfg.Logger.WarnContext(ctx, "authentication failure", "rhost", remoteAddr, "user", userid, "msg", reason)
	return "", ErrAuthFailed
}

// login returns "" on success, else why it failed.
func (s *Service) login(ctx context.Context, userid, password, remoteAddr string) string {
	name, realm, err := SplitUserID(userid)
	if err != nil {
		return err.Error()
	}
	st, err := s.snapshot(ctx, true)
	if err != nil {
		return err.Error()
	}
	if why, ok := st.userEnabled(userid, s.now()); !ok {
		// Burn the time of a real check, so that timing does not tell
		// whether the user exists.
		s.checkPassword(ctx, remoteAddr, password, s.dummyHash())
		return why
	}
	if password == "" {
		return "no password"
	}
	if strings.HasPrefix(password, "PVE:") {
		if tu, err := s.VerifyTicket(password); err == nil && (tu == RootUser || tu == userid) {
			return ""
		}
	}
	switch st.realmType(realm) {
	case "pam":
		if err := s.pamAuthenticate(name, password, remoteAddr); err != nil {
			return err.Error()
		}
		return ""
	case "pve":
		h, ok := st.shadow.Hashes[name]
		if !ok {
			// Burn comparable time so that timing does not tell whether
			// the user has a password.
			s.checkPassword(ctx, remoteAddr, password, s.dummyHash())
			return "no password set"
		}
		if !s.checkPassword(ctx, remoteAddr, password, h) {
			return "invalid credentials"
		}
		return ""
	case "":
		return "auth domain '" + realm + "' does not exist"
	default:
		return "realm type '" + st.realmType(realm) + "' is not supported"
	}
}

// checkPassword runs one password check in one of the service's few hash
// slots, handed out in turn by client (fairSlots): each argon2id check
// takes its whole memory cost (64 MiB by default), so parallel logins
// queue instead of exhausting memory, and a flood does not starve others.
func (s *Service) checkPassword(ctx context.Context, client, password, hash string) bool {
	release, ok := s.hashSlots.acquire(ctx, client)
	if !ok {
		return false
	}
	defer release()
	return CheckPassword(password, hash)
}

// VerifyAPIToken checks the value of a "PVEAPIToken=" header,
// "user@realm!tokenid=secret": the secret against token.cfg (in constant
// time), the token's expiry and that its user is enabled. A token unknown
// to the cached snapshot triggers one fresh read of the store, so tokens
// created by another process work at once.
func (s *Service) VerifyAPIToken(header string) (Identity, error) {
	i := strings.LastIndexByte(header, '=')
	if i < 0 {
		return Identity{}, errorf(ErrAuthFailed, "no tokenid specified")
	}
	full, secret := header[:i], header[i+1:]
	userid, tokenid, err := SplitTokenID(full)
	if err != nil {
		return Identity{}, errorf(ErrAuthFailed, "%s", err.Error())
	}
	ctx := context.Background()
	st, err := s.snapshot(ctx, false)
	if err != nil {
		return Identity{}, errorf(ErrAuthFailed, "%s", err.Error())
	}
	why := st.checkToken(userid, tokenid, full, secret, s.now().Unix())
	if why != "" {
		if st, err = s.snapshot(ctx, true); err != nil {
			return Identity{}, errorf(ErrAuthFailed, "%s", err.Error())
		}
		why = st.checkToken(userid, tokenid, full, secret, s.now().Unix())
	}
	if why != "" {
		return Identity{}, errorf(ErrAuthFailed, "%s", why)
	}
	return Identity{User: userid, TokenID: tokenid}, nil
}

func (st *state) checkToken(userid, tokenid, full, secret string, now int64) string {
	u := st.users.Users[userid]
	if u == nil {
		return "no such user ('" + userid + "')"
	}
	if userid != RootUser && (!u.Enable || (u.Expire > 0 && u.Expire < now)) {
		return "user '" + userid + "' is disabled or expired"
	}
	t := u.Tokens[tokenid]
	if t == nil {
		return "no such token '" + tokenid + "' for user '" + userid + "'"
	}
	if t.Expire > 0 && t.Expire < now {
		return "token '" + tokenid + "' access expired"
	}
	want, ok := st.tokens.Secrets[full]
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		return "invalid token value!"
	}
	return ""
}
