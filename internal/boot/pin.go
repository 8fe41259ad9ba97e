package boot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// KernelError is a bad kernel version given to add or pin; Possible lists
// the kernels that could be chosen instead.
type KernelError struct {
	Msg      string
	Possible []string
}

func (e *KernelError) Error() string {
	if e.Possible == nil {
		return e.Msg
	}
	return e.Msg + "\n\nPossible Proxmox kernel versions are:\n" + strings.Join(e.Possible, "\n")
}

// AddKernel adds a version to the manual kernel list (kernel add).
func (s *Service) AddKernel(ctx context.Context, ver string, o Out) error {
	if ver == "" {
		return errors.New("E: <kernel-version> is mandatory")
	}
	if !s.HasKernel(ver) {
		return &KernelError{Msg: fmt.Sprintf("E: no kernel image found in /boot for '%s', not adding.", ver)}
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.addEntry(ctx, ManualKernels, ver); err != nil {
		return err
	}
	o.say("Added kernel '%s' to manual kernel list. Use the 'refresh' command to update the ESPs.", ver)
	return nil
}

// RemoveKernel drops a version from the manual kernel list (kernel remove).
func (s *Service) RemoveKernel(ctx context.Context, ver string, o Out) error {
	if ver == "" {
		return errors.New("E: <kernel-version> is mandatory")
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	manual, err := s.lines(ManualKernels)
	if err != nil {
		return err
	}
	if !slices.Contains(manual, ver) {
		o.say("Kernel '%s' not found in manual kernel list.", ver)
		return nil
	}
	if err := s.removeEntry(ctx, ManualKernels, ver); err != nil {
		return err
	}
	o.say("Removed kernel '%s' from manual kernel list. Use the 'refresh' command to update the ESPs.", ver)
	return nil
}

// ListKernels prints the kernel selection as `kernel list` does.
func (s *Service) ListKernels(o Out) error {
	sel, err := s.Select("")
	if err != nil {
		return err
	}
	auto := slices.DeleteFunc(slices.Clone(sel.Boot), func(k string) bool { return slices.Contains(sel.Manual, k) })
	manual := strings.Join(sel.Manual, "\n")
	if manual == "" {
		manual = "None."
	}
	o.say("Manually selected kernels:\n%s\n\nAutomatically selected kernels:\n%s", manual, strings.Join(auto, "\n"))
	if sel.Pinned != "" {
		o.say("\nPinned kernel:\n%s", sel.Pinned)
	}
	if sel.NextBoot != "" {
		o.say("\nKernel pinned on next-boot:\n%s", sel.NextBoot)
	}
	return nil
}

// Pin sets the kernel booted by default, or with nextBoot only on the next
// boot (kernel pin VERSION [--next-boot]). On nodes with ESPs the change
// takes effect with the next refresh; on plain GRUB nodes update-grub runs
// at once, as in Proxmox.
func (s *Service) Pin(ctx context.Context, ver string, nextBoot bool, o Out) error {
	if ver == "" || !s.HasKernel(ver) {
		msg := "E: <kernel-version> is mandatory"
		if ver != "" {
			msg = fmt.Sprintf("E: no kernel image found in /boot for '%s', not setting default.", ver)
		}
		sel, err := s.Select("")
		if err != nil {
			return err
		}
		return &KernelError{Msg: msg, Possible: append([]string{}, sel.Boot...)}
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	file := PinFile
	if nextBoot {
		file = NextBootPin
	}
	if s.root.Exists(file) {
		if old := s.firstLine(file); old != ver {
			o.say("Overriding previously pinned version '%s' with '%s'", old, ver)
		}
	}
	if err := s.root.WriteFileContext(ctx, file, []byte(ver+"\n"), 0o644); err != nil {
		return err
	}
	if s.root.Exists(ESPList) {
		o.say("Set kernel '%s' in %s. Use the 'refresh' command to update the ESPs.", ver, file)
	} else {
		v := s.firstLine(NextBootPin)
		if v == "" {
			v = ver
		}
		o.say("Setting '%s' as grub default entry and running update-grub.", v)
		if err := s.grubPinUpdate(ctx, v, o); err != nil {
			return err
		}
	}
	if nextBoot {
		o.say("Pinned for next boot only.")
	}
	return nil
}

// Unpin removes the next-boot pin and, unless nextBootOnly, the permanent
// one (kernel unpin [--next-boot]).
func (s *Service) Unpin(ctx context.Context, nextBootOnly bool, o Out) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	last := s.firstLine(NextBootPin)
	// Whether there is anything to reset on a GRUB node: hostadm skips
	// update-grub when no pin existed (Proxmox runs it regardless).
	hadPin := s.root.Exists(NextBootPin) || s.root.Exists(GrubPinSnippet) || (!nextBootOnly && s.root.Exists(PinFile))
	if err := s.remove(NextBootPin); err != nil {
		return err
	}
	o.say("Removed %s.", NextBootPin)
	if !nextBootOnly {
		if old := s.firstLine(PinFile); old != "" {
			last = old
		}
		if err := s.remove(PinFile); err != nil {
			return err
		}
		o.say("Removed %s.", PinFile)
	}
	if s.root.Exists(ESPList) {
		if last != "" {
			o.say("Unpinned kernel '%s'. Use the 'refresh' command to update the ESPs.", last)
		}
		return nil
	}
	if !hadPin {
		return nil
	}
	o.say("Reset default grub entry and running update-grub.")
	return s.grubPinUpdate(ctx, s.firstLine(PinFile), o)
}

func (s *Service) grubPinUpdate(ctx context.Context, ver string, o Out) error {
	if err := s.setGrubDefault(ctx, ver); err != nil {
		return err
	}
	_, err := s.cmd(ctx, o.Stderr, "update-grub")
	return err
}

func (s *Service) remove(p string) error {
	if err := os.Remove(s.root.Path(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	return nil
}

// Clean drops ESPs whose device no longer exists from the ESP list and
// sorts it (clean [--dry-run]).
func (s *Service) Clean(ctx context.Context, dryRun bool, o Out) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	uuids, ok, err := s.espUUIDs()
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoESPList
	}
	if !s.root.Exists("/dev/disk/by-uuid") {
		return errors.New("E: /dev/disk/by-uuid does not exist, aborting!")
	}
	keep := []string{}
	for _, u := range uuids {
		if s.root.Exists(espDevice(u)) {
			o.say("Checking whether ESP '%s' exists.. Found!", u)
			keep = append(keep, u)
			continue
		}
		o.say("Checking whether ESP '%s' exists.. Not found!", u)
		if dryRun {
			keep = append(keep, u)
		}
	}
	o.say("Sorting and removing duplicate ESPs..")
	return s.writeLines(ctx, ESPList, sortUnique(keep))
}

// Reinit installs the boot loader again on every configured ESP (reinit).
func (s *Service) Reinit(ctx context.Context, o Out) error {
	uuids, ok, err := s.espUUIDs()
	if err != nil || !ok {
		return err
	}
	for _, u := range uuids {
		if err := s.checkUUID(u); err != nil {
			o.warn("%s", err.Error())
			continue
		}
		if err := s.initOne(ctx, espDevice(u), "", o); err != nil {
			return err
		}
	}
	return nil
}
