package boot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sync"
)

var grubRootID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m).*gnulinux-advanced-(.+)['] \{$`) })

// setGrubDefault writes (or, for "", removes) the GRUB_DEFAULT snippet that
// pins a kernel. GRUB's menu entry ids carry the root device id, taken from
// the submenu line of /boot/grub/grub.cfg as Proxmox does.
func (s *Service) setGrubDefault(ctx context.Context, kver string) error {
	if kver == "" {
		err := os.Remove(s.root.Path(GrubPinSnippet))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", GrubPinSnippet, err)
		}
		return nil
	}
	cfg, _ := s.root.ReadFile("/boot/grub/grub.cfg")
	id := ""
	if m := grubRootID().FindSubmatch(cfg); m != nil {
		id = string(m[1])
	}
	line := fmt.Sprintf("GRUB_DEFAULT=\"gnulinux-advanced-%s>gnulinux-%s-advanced-%s\"\n", id, kver, id)
	return s.root.WriteFileContext(ctx, GrubPinSnippet, []byte(line), 0o644)
}

const hookMarker = "# This hookfile has been disabled by proxmox-boot-tool"

// disableSystemdBootHooks neutralises systemd-boot's own kernel hooks,
// which would write entries of their own onto the ESP.
func (s *Service) disableSystemdBootHooks(ctx context.Context, o Out) error {
	for _, hook := range []string{
		"/etc/initramfs/post-update.d/systemd-boot",
		"/etc/kernel/postinst.d/zz-systemd-boot",
		"/etc/kernel/postrm.d/zz-systemd-boot",
	} {
		p := s.root.Path(hook)
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil || bytes.Contains(b, []byte(hookMarker)) {
			continue
		}
		o.warn("\tDisabling upstream hook %s", hook)
		nb := append([]byte("#!/bin/sh\n\n"+hookMarker+"\nexit 0\n"), b...)
		if err := s.root.WriteFileContext(ctx, hook, nb, st.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// checkGrubEFIPackage warns on a UEFI node without ESP list when GRUB's
// EFI meta-package is missing (it would not get GRUB updates).
func (s *Service) checkGrubEFIPackage(o Out) {
	if s.root.Exists(ESPList) || !s.UEFI() || s.root.Exists("/usr/share/doc/grub-efi-amd64/changelog.Debian.gz") {
		return
	}
	o.warn("System booted in EFI-mode but 'grub-efi-amd64' meta-package not installed!")
	o.warn("Install 'grub-efi-amd64' to get updates.")
}
