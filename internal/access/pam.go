package access

import (
	"errors"
	"fmt"

	"github.com/msteinert/pam/v2"
)

// pamAuthenticate runs the PAM service (Proxmox's "proxmox-ve-auth") for
// user: authenticate, then account management, answering every prompt
// with the password as PVE::Auth::PAM does. PAM_RHOST is set to the
// client address. Config.PAMConfDir, when set, is passed to Linux-PAM's
// pam_start_confdir so tests can bring their own service files.
func (s *Service) pamAuthenticate(user, password, remoteAddr string) error {
	conv := pam.ConversationFunc(func(style pam.Style, msg string) (string, error) {
		switch style {
		case pam.PromptEchoOff, pam.PromptEchoOn:
			return password, nil
		case pam.ErrorMsg, pam.TextInfo:
			return "", nil
		}
		return "", errors.New("unsupported PAM conversation style")
	})
	var (
		t   *pam.Transaction
		err error
	)
	if s.cfg.PAMConfDir != "" {
		t, err = pam.StartConfDir(s.cfg.PAMService, user, conv, s.cfg.PAMConfDir)
	} else {
		t, err = pam.Start(s.cfg.PAMService, user, conv)
	}
	if err != nil {
		return fmt.Errorf("error during PAM init: %w", err)
	}
	defer t.End()
	if remoteAddr != "" {
		if err := t.SetItem(pam.Rhost, remoteAddr); err != nil {
			return fmt.Errorf("pam set rhost: %w", err)
		}
	}
	if err := t.Authenticate(0); err != nil {
		return fmt.Errorf("pam authenticate: %w", err)
	}
	if err := t.AcctMgmt(0); err != nil {
		return fmt.Errorf("pam account: %w", err)
	}
	return nil
}
