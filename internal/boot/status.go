package boot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// probeWait bounds how long a status look waits for the boot lock.
const probeWait = 3 * time.Second

// ErrNoESPList is returned by Status when no ESP is configured
// (proxmox-boot-tool status exits with 2 then).
var ErrNoESPList = errors.New("E: " + ESPList + " does not exist.")

// ESPStatus is one configured ESP as status sees it.
type ESPStatus struct {
	UUID     string   `json:"uuid"`
	Device   string   `json:"device"`
	State    string   `json:"state"` // ok, missing, invalid, unmountable, busy
	Message  string   `json:"message,omitempty"`
	Loaders  []string `json:"loaders"`  // uefi (systemd-boot), grub
	Versions []string `json:"versions"` // all kernel versions on the ESP
	GrubEFI  bool     `json:"grub-efi"`

	uefiVersions, grubVersions []string
}

// Status mounts each configured ESP and reports what it holds
// (proxmox-boot-tool status). Lines go to o as Proxmox prints them; quiet
// only checks that the list exists.
func (s *Service) Status(ctx context.Context, quiet bool, o Out) ([]ESPStatus, error) {
	uuids, ok, err := s.espUUIDs()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoESPList
	}
	if quiet {
		return nil, nil
	}
	if s.UEFI() {
		o.say("System currently booted with uefi")
	} else {
		o.say("System currently booted with legacy bios")
	}
	out := []ESPStatus{}
	for _, uuid := range uuids {
		st := s.espStatus(ctx, uuid)
		if st.State == "ok" {
			o.say("%s is configured with: %s", uuid, describe(st))
		} else {
			o.warn("%s", st.Message)
		}
		out = append(out, st)
	}
	return out, nil
}

func describe(st ESPStatus) string {
	var parts []string
	for _, l := range st.Loaders {
		v := st.grubVersions
		if l == "uefi" {
			v = st.uefiVersions
		}
		parts = append(parts, l+" (versions: "+strings.Join(v, ", ")+")")
	}
	return strings.Join(parts, ", ")
}

func (s *Service) espStatus(ctx context.Context, uuid string) ESPStatus {
	st := ESPStatus{UUID: uuid, Device: espDevice(uuid), State: "ok", Loaders: []string{}, Versions: []string{}}
	if err := s.checkUUID(uuid); err != nil {
		st.State, st.Message = "missing", err.Error()
		if !vfatUUID().MatchString(uuid) {
			st.State = "invalid"
		}
		return st
	}
	// Proxmox mounts in a private mount namespace; hostadm mounts in its
	// own, so a look at an ESP waits briefly for a running change to end
	// rather than mount over it, and says "busy" when it does not.
	unlock, err := s.root.Lock(ctx, lockPath, probeWait)
	if err != nil {
		st.State, st.Message = "busy", "a change of the ESPs is running: "+err.Error()
		return st
	}
	defer unlock()
	mp, umount, err := s.mountESP(ctx, uuid)
	if err != nil {
		st.State, st.Message = "unmountable", err.Error()
		return st
	}
	defer umount()
	st.GrubEFI = fileExists(filepath.Join(mp, espKernelDir, "grubx64.efi"))
	if fileExists(filepath.Join(mp, loaderConf)) {
		st.Loaders = append(st.Loaders, "uefi")
		ents, _ := os.ReadDir(filepath.Join(mp, espKernelDir))
		for _, e := range ents {
			st.uefiVersions = append(st.uefiVersions, e.Name())
		}
	}
	if dirExists(filepath.Join(mp, "grub")) {
		st.Loaders = append(st.Loaders, "grub")
		imgs, _ := filepath.Glob(filepath.Join(mp, "vmlinuz-*"))
		for _, img := range imgs {
			st.grubVersions = append(st.grubVersions, strings.TrimPrefix(filepath.Base(img), "vmlinuz-"))
		}
	}
	st.Versions = sortUnique(append(append([]string{}, st.uefiVersions...), st.grubVersions...))
	return st
}
