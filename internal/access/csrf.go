package access

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// csrfSecret derives the CSRF secret from pve-www.key as Proxmox does:
// the unpadded base64 of HMAC-SHA256 over the file with an empty key.
func csrfSecret(www []byte) []byte {
	m := hmac.New(sha256.New, nil)
	m.Write(www)
	return []byte(base64.RawStdEncoding.EncodeToString(m.Sum(nil)))
}

func csrfDigest(secret []byte, hexts, userid string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(hexts + ":" + userid))
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))
}

// CSRFToken returns "<8 hex epoch>:<unpadded base64 HMAC-SHA256>" for
// userid, or "" when pve-www.key is missing.
func (s *Service) CSRFToken(userid string) string {
	st, err := s.snapshot(context.Background(), false)
	if err != nil || st.csrfKey == nil {
		return ""
	}
	hexts := fmt.Sprintf("%08X", s.now().Unix())
	return hexts + ":" + csrfDigest(st.csrfKey, hexts, userid)
}

// VerifyCSRF checks a CSRF token of userid: a valid HMAC, issued less
// than the ticket lifetime ago and at most five minutes in the future.
func (s *Service) VerifyCSRF(token, userid string) bool {
	if len(token) < 10 || token[8] != ':' {
		return false
	}
	hexts, sig := token[:8], token[9:]
	for _, c := range []byte(hexts) {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	ts, err := strconv.ParseInt(hexts, 16, 64)
	if err != nil {
		return false
	}
	st, err := s.snapshot(context.Background(), false)
	if err != nil || st.csrfKey == nil {
		return false
	}
	if !hmac.Equal([]byte(csrfDigest(st.csrfKey, hexts, userid)), []byte(sig)) {
		return false
	}
	age := s.now().Unix() - ts
	return age > -int64(graceperiod/time.Second) && age < int64(s.cfg.TicketLifetime/time.Second)
}
