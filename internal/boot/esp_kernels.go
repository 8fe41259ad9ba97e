package boot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// copyKernels copies each kernel with its initrd onto the ESP mounted at
// mp: into EFI/proxmox/VERSION with a loader entry for systemd-boot, into
// the ESP's top directory for GRUB. It returns the versions copied.
func (s *Service) copyKernels(mp string, kernels []string, efi bool, cmdline string, o Out) ([]string, error) {
	copied := []string{}
	for _, k := range kernels {
		linux, initrd := "/boot/vmlinuz-"+k, "/boot/initrd.img-"+k
		if !fileExists(s.root.Path(linux)) {
			o.warn("No linux-image %s found - skipping", linux)
			continue
		}
		if !fileExists(s.root.Path(initrd)) {
			o.warn("No initrd-image %s found - skipping", initrd)
			continue
		}
		dir := mp
		if efi {
			o.warn("\tCopying kernel and creating boot-entry for %s", k)
			dir = filepath.Join(mp, espKernelDir, k)
		} else {
			o.warn("\tCopying kernel %s", k)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return copied, fmt.Errorf("create %s: %w", dir, err)
		}
		for _, f := range []string{linux, initrd} {
			if err := copyPreserve(s.root.Path(f), dir); err != nil {
				return copied, err
			}
		}
		if efi {
			entry := filepath.Join(mp, "loader/entries", "proxmox-"+k+".conf")
			if err := writeFileAtomic(entry, []byte(LoaderEntry(k, cmdline))); err != nil {
				return copied, err
			}
		}
		copied = append(copied, k)
	}
	return copied, nil
}

// LoaderEntry is the systemd-boot entry Proxmox writes for a kernel.
func LoaderEntry(version, cmdline string) string {
	d := "/" + espKernelDir + "/" + version
	return fmt.Sprintf("title    %s\nversion  %s\noptions  %s\nlinux    %s/vmlinuz-%s\ninitrd   %s/initrd.img-%s\n",
		loaderTitle, version, cmdline, d, version, d, version)
}

// SetLoaderDefault replaces every "default ..." line of a loader.conf with
// the given entry pattern, or appends one when there is none (Proxmox's
// sed expression in set_systemd_boot_default).
func SetLoaderDefault(conf []byte, entry string) []byte {
	text := string(conf)
	if text == "" {
		return conf
	}
	trailing := strings.HasSuffix(text, "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(l, "default ") {
			lines[i], found = "default "+entry, true
		}
	}
	if !found {
		lines = append(lines, "default "+entry)
		trailing = true
	}
	out := strings.Join(lines, "\n")
	if trailing {
		out += "\n"
	}
	return []byte(out)
}

func setSystemdBootDefault(mp, kver string) error {
	entry := "proxmox-*"
	if kver != "" {
		entry = "proxmox-" + kver + ".conf"
	}
	p := filepath.Join(mp, loaderConf)
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("read loader.conf: %w", err)
	}
	nb := SetLoaderDefault(b, entry)
	if string(nb) == string(b) {
		return nil
	}
	return writeFileAtomic(p, nb)
}

// removeOldEFI removes kernel directories and entries of versions no
// longer selected.
func (s *Service) removeOldEFI(mp string, kernels []string, o Out) ([]string, error) {
	removed := []string{}
	dir := filepath.Join(mp, espKernelDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return removed, fmt.Errorf("read %s: %w", s.hostPath(dir), err)
	}
	for _, e := range ents {
		if !e.IsDir() {
			o.warn("\t%s is not a directory - skipping", s.hostPath(filepath.Join(dir, e.Name())))
			continue
		}
		k := e.Name()
		if slices.Contains(kernels, k) {
			continue
		}
		o.warn("\tRemoving old version %s", k)
		if err := os.RemoveAll(filepath.Join(dir, k)); err != nil {
			return removed, fmt.Errorf("remove %s: %w", k, err)
		}
		os.Remove(filepath.Join(mp, "loader/entries", "proxmox-"+k+".conf"))
		removed = append(removed, k)
	}
	return removed, nil
}

// removeOldLegacy removes kernels and initrds of versions no longer
// selected from a GRUB ESP's top directory.
func (s *Service) removeOldLegacy(mp string, kernels []string, o Out) ([]string, error) {
	removed := []string{}
	imgs, _ := filepath.Glob(filepath.Join(mp, "vmlinuz-*"))
	for _, img := range imgs {
		k := strings.TrimPrefix(filepath.Base(img), "vmlinuz-")
		if slices.Contains(kernels, k) {
			continue
		}
		o.warn("\tRemoving old version %s", k)
		for _, f := range []string{"vmlinuz-" + k, "initrd.img-" + k} {
			if err := os.RemoveAll(filepath.Join(mp, f)); err != nil {
				return removed, fmt.Errorf("remove %s: %w", f, err)
			}
		}
		removed = append(removed, k)
	}
	return removed, nil
}

// updateGrubOn runs update-grub with the ESP bind-mounted on /boot, so
// grub.cfg is written onto the ESP, and unmounts it again.
func (s *Service) updateGrubOn(ctx context.Context, mp string, o Out) error {
	boot := s.root.Path("/boot")
	if _, err := s.cmd(ctx, o.Stderr, "mount", "--bind", mp, boot); err != nil {
		return err
	}
	_, err := s.cmd(ctx, o.Stderr, "update-grub")
	if _, uerr := s.run.Run(context.Background(), hostCmd("umount", boot)); uerr != nil && err == nil {
		err = fmt.Errorf("umount /boot: %w", uerr)
	}
	return err
}
