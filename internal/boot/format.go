package boot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Format makes a partition an ESP: sets its GPT type when needed and
// creates a FAT32 file system (proxmox-boot-tool format). A partition
// holding a file system is refused unless force is set.
func (s *Service) Format(ctx context.Context, part string, force bool, o Out) error {
	p, unlock, err := s.lockedPartition(ctx, part, o)
	if err != nil {
		return err
	}
	defer unlock()
	if p.FSType != "" && !force {
		return fmt.Errorf("E: '%s' contains a filesystem ('%s') - exiting (use --force to override)", part, p.FSType)
	}
	if p.PartNum == "" {
		return fmt.Errorf("E: unable to determine partition number of '%s'", part)
	}
	if p.PartType != ESPPartType {
		o.say("Setting partition type of '%s' to '%s'..", part, ESPPartType)
		if _, err := s.cmd(ctx, o.Stdout, "sgdisk", "-t"+p.PartNum+":"+ESPPartType, s.root.Path("/dev/"+p.PKName)); err != nil {
			return err
		}
		o.say("Calling 'udevadm settle'..")
		if _, err := s.cmd(ctx, o.Stdout, "udevadm", "settle", "--timeout=5"); err != nil {
			s.log.Warn("udevadm settle failed", "err", err)
		}
	}
	o.say("Formatting '%s' as vfat..", part)
	if _, err := s.cmd(ctx, o.Stdout, "mkfs.vfat", "-F", "32", p.Dev); err != nil {
		return err
	}
	o.say("Done.")
	return nil
}

// Init installs a boot loader on an ESP and adds it to the ESP list, then
// refreshes all ESPs (proxmox-boot-tool init). mode is "", "grub" or
// "systemd-boot"; "" keeps GRUB where the ESP already has it and otherwise
// takes systemd-boot on UEFI. Legacy BIOS nodes always get GRUB (i386-pc).
func (s *Service) Init(ctx context.Context, part, mode string, o Out) error {
	if err := s.initOne(ctx, part, mode, o); err != nil {
		return err
	}
	o.say("Refreshing kernels and initrds..")
	_, err := s.Refresh(ctx, "", o)
	return err
}

func (s *Service) initOne(ctx context.Context, part, mode string, o Out) error {
	if mode != "" && mode != "grub" && mode != "systemd-boot" {
		return fmt.Errorf("E: unknown boot loader '%s' (grub or systemd-boot).", mode)
	}
	p, unlock, err := s.lockedPartition(ctx, part, o)
	if err != nil {
		return err
	}
	defer unlock()
	switch {
	case p.PartType != ESPPartType:
		return fmt.Errorf("E: '%s' has wrong partition type (!= %s).", part, ESPPartType)
	case p.FSType != "vfat":
		return fmt.Errorf("E: '%s' has wrong filesystem (!= vfat).", part)
	case p.UUID == "" || !vfatUUID().MatchString(p.UUID):
		return fmt.Errorf("E: '%s' has no UUID set, required for mounting.", part)
	}
	mp := s.root.Path(MountRoot + "/" + p.UUID)
	if err := os.MkdirAll(mp, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", mp, err)
	}
	o.say("Mounting '%s' on '%s'.", part, s.hostPath(mp))
	if _, err := s.run.Run(ctx, hostCmd("mount", "-t", "vfat", p.Dev, mp)); err != nil {
		return err
	}
	err = s.installLoader(ctx, mp, p, mode, o)
	o.say("Unmounting '%s'.", part)
	if uerr := s.unmount(mp); err == nil {
		err = uerr
	}
	if err != nil {
		return err
	}
	o.say("Adding '%s' to list of synced ESPs..", part)
	return s.addEntry(ctx, ESPList, p.UUID)
}

func (s *Service) installLoader(ctx context.Context, mp string, p *PartInfo, mode string, o Out) error {
	if mode == "" && fileExists(filepath.Join(mp, espKernelDir, "grubx64.efi")) {
		mode = "grub"
	}
	disk := s.root.Path("/dev/" + p.PKName)
	grub := []string{"grub-install.real", "--boot-directory", mp, "--target"}
	if !s.UEFI() {
		o.say("Installing grub i386-pc target..")
		_, err := s.cmd(ctx, o.Stdout, append(grub, "i386-pc", "--no-floppy", "--bootloader-id=proxmox", disk)...)
		return err
	}
	if mode == "grub" {
		efi := append(grub, "x86_64-efi", "--no-floppy", "--efi-directory", mp)
		o.say("Installing grub x86_64 target..")
		if _, err := s.cmd(ctx, o.Stdout, append(efi, "--bootloader-id", "proxmox", disk)...); err != nil {
			return err
		}
		o.say("Installing grub x86_64 target (removable)..")
		_, err := s.cmd(ctx, o.Stdout, append(efi, "--removable", "--bootloader-id", "proxmox", disk)...)
		return err
	}
	o.say("Installing systemd-boot..")
	if err := os.MkdirAll(filepath.Join(mp, espKernelDir), 0o755); err != nil {
		return err
	}
	if _, err := s.cmd(ctx, o.Stdout, "bootctl", "--graceful", "--path", mp, "install"); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return errors.New("E: bootctl is not available - make sure systemd-boot is installed")
		}
		return err
	}
	o.say("Configuring systemd-boot..")
	return writeFileAtomic(filepath.Join(mp, loaderConf), []byte("timeout 3\ndefault proxmox-*\n"))
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
