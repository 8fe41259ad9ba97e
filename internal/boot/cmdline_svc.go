package boot

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"hostadm/internal/host"
)

// Boot loaders a command line is written for.
const (
	SystemdBoot = "systemd-boot"
	Grub        = "grub"
)

// Cmdline is the kernel command line: the one configured for the next
// boot and the one the running kernel got.
type Cmdline struct {
	Loader     string   `json:"loader"` // systemd-boot or grub
	File       string   `json:"file"`
	Configured string   `json:"cmdline"`
	Options    []string `json:"options"`
	GrubLinux  string   `json:"grub-cmdline-linux,omitempty"`
	Running    string   `json:"running"`
	Digest     string   `json:"digest"`
}

// Loader tells which boot loader reads the command line: systemd-boot on
// a UEFI node whose ESPs (from the ESP list) are not all GRUB ESPs, GRUB
// otherwise. Telling the two apart mounts the ESPs.
func (s *Service) Loader(ctx context.Context) string {
	if !s.UEFI() {
		return Grub
	}
	uuids, ok, err := s.espUUIDs()
	if !ok || err != nil || len(uuids) == 0 {
		return Grub
	}
	for _, u := range uuids {
		st := s.espStatus(ctx, u)
		if st.State == "ok" && !st.GrubEFI {
			return SystemdBoot
		}
		// A refresh holds the ESPs: go by the file systemd-boot nodes have.
		if st.State == "busy" && s.root.Exists(CmdlineFile) {
			return SystemdBoot
		}
	}
	return Grub
}

// GetCmdline reads the configured and the running command line.
func (s *Service) GetCmdline(ctx context.Context) (*Cmdline, error) {
	return s.cmdlineFor(s.Loader(ctx))
}

func (s *Service) cmdlineFor(loader string) (*Cmdline, error) {
	c := &Cmdline{Loader: loader, File: CmdlineFile, Options: []string{}}
	running, _ := s.root.ReadFile("/proc/cmdline")
	c.Running = strings.TrimRight(string(running), "\n")
	if loader == Grub {
		c.File = GrubDefault
	}
	b, err := s.root.ReadFile(c.File)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	c.Digest = host.Digest(b)
	if loader == Grub {
		c.Configured, c.GrubLinux = GrubCmdline(string(b))
	} else {
		c.Configured = s.firstLine(CmdlineFile)
	}
	if opts, err := ParseCmdline(c.Configured); err == nil {
		c.Options = opts
	}
	return c, nil
}

// SetCmdline validates and writes the command line for the boot loader in
// use (first line of /etc/kernel/cmdline, or GRUB_CMDLINE_LINUX_DEFAULT in
// /etc/default/grub with the rest of the file kept). digest, when given,
// must match the file's current digest. It returns the boot loader; the
// caller then refreshes the ESPs or runs update-grub (see Apply).
func (s *Service) SetCmdline(ctx context.Context, line, digest string) (string, error) {
	opts, err := ParseCmdline(line)
	if err != nil {
		return "", err
	}
	loader := s.Loader(ctx)
	if loader == SystemdBoot && !HasOption(opts, "root") {
		return "", &CmdlineError{Msg: "systemd-boot needs root= on the command line (proxmox-boot-tool refuses to sync without it)"}
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()
	cur, err := s.cmdlineFor(loader)
	if err != nil {
		return "", err
	}
	if err := host.CheckDigest(cur.Digest, digest); err != nil {
		return "", err
	}
	line = JoinCmdline(opts)
	if loader == Grub {
		b, _ := s.root.ReadFile(GrubDefault)
		return loader, s.root.WriteFileContext(ctx, GrubDefault, []byte(SetGrubCmdlineDefault(string(b), line)), 0o644)
	}
	rest := ""
	if b, err := s.root.ReadFile(CmdlineFile); err == nil {
		if _, after, ok := strings.Cut(string(b), "\n"); ok {
			rest = after
		}
	}
	return loader, s.root.WriteFileContext(ctx, CmdlineFile, []byte(line+"\n"+rest), 0o644)
}

// ApplyCmdline makes a written command line effective for the next boot:
// a refresh of the ESPs where there are any, else update-grub.
func (s *Service) ApplyCmdline(ctx context.Context, o Out) error {
	if s.root.Exists(ESPList) {
		_, err := s.Refresh(ctx, "", o)
		return err
	}
	o.say("Running update-grub..")
	_, err := s.cmd(ctx, o.Stderr, "update-grub")
	return err
}
