package zfs

import (
	"context"
	"fmt"
)

// AuxVdevs are cache, log and special vdevs given already at pool
// creation (hostadm extension of the create endpoint).
type AuxVdevs struct {
	Cache         []string
	Log           []string
	LogMirror     bool
	Special       []string
	SpecialMirror bool
}

// Check applies AddVdevArgs' rules to each class given.
func (a AuxVdevs) Check() error {
	for _, c := range a.classes() {
		if len(c.devs) == 0 {
			continue
		}
		if _, err := AddVdevArgs("x", c.typ, c.mirror, c.devs); err != nil {
			return fmt.Errorf("%s: %w", c.typ, err)
		}
	}
	return nil
}

// All lists every device of the auxiliary vdevs.
func (a AuxVdevs) All() []string {
	return append(append(append([]string{}, a.Cache...), a.Log...), a.Special...)
}

type auxClass struct {
	typ    string
	mirror bool
	devs   []string
}

func (a AuxVdevs) classes() []auxClass {
	return []auxClass{{"special", a.SpecialMirror, a.Special}, {"log", a.LogMirror, a.Log}, {"cache", false, a.Cache}}
}

// Spec is the part of `zpool create` after the data vdevs:
// "special [mirror] D..", "log [mirror] D..", "cache D..", with the devices
// renamed by rename (their by-id names).
func (a AuxVdevs) Spec(rename map[string]string) []string {
	var out []string
	for _, c := range a.classes() {
		if len(c.devs) == 0 {
			continue
		}
		out = append(out, c.typ)
		if c.mirror {
			out = append(out, "mirror")
		}
		for _, d := range c.devs {
			if r := rename[d]; r != "" {
				d = r
			}
			out = append(out, d)
		}
	}
	return out
}

// SetAutotrim turns the pool's autotrim property on or off.
func (s *Service) SetAutotrim(ctx context.Context, pool string, on bool) error {
	if err := CheckPoolName(pool); err != nil {
		return err
	}
	v := "off"
	if on {
		v = "on"
	}
	_, err := s.d.Run(ctx, nil, "zpool", "set", "autotrim="+v, pool)
	return err
}

// TrimArgs is `zpool trim [-c|-s] POOL` for start, cancel or suspend.
func TrimArgs(pool, action string) ([]string, error) {
	if err := CheckPoolName(pool); err != nil {
		return nil, err
	}
	switch action {
	case "start":
		return []string{"zpool", "trim", pool}, nil
	case "cancel":
		return []string{"zpool", "trim", "-c", pool}, nil
	case "suspend":
		return []string{"zpool", "trim", "-s", pool}, nil
	}
	return nil, fmt.Errorf("unknown trim action '%s'", action)
}

// Trim is the zfstrim worker; its progress shows in `zpool status -t`.
func (s *Service) Trim(ctx context.Context, l Log, pool, action string) error {
	argv, err := TrimArgs(pool, action)
	if err != nil {
		return err
	}
	_, err = s.d.Run(ctx, l, argv...)
	return err
}

// ChangeKeyArgs checks a new key and returns `zfs change-key` with the key
// material for standard input (never in argv, never logged).
func ChangeKeyArgs(pool, name, format, key string) ([]string, []byte, error) {
	if err := CheckDataset(pool, name, true); err != nil {
		return nil, nil, err
	}
	in, err := KeyInput(format, key)
	if err != nil {
		return nil, nil, err
	}
	return []string{"zfs", "change-key", "-o", "keylocation=prompt", "-o", "keyformat=" + format, name}, in, nil
}

// CheckChangeKey checks the new key and that the dataset is encrypted
// with its key loaded (zfs needs the current key to wrap the new one).
func (s *Service) CheckChangeKey(ctx context.Context, pool, name, format, key string) ([]string, []byte, error) {
	argv, in, err := ChangeKeyArgs(pool, name, format, key)
	if err != nil {
		return nil, nil, err
	}
	ds, err := s.encrypted(ctx, pool, name)
	if err != nil {
		return nil, nil, err
	}
	if ds.KeyStatus != "available" {
		return nil, nil, fmt.Errorf("key for '%s' is not loaded: load it before changing it", name)
	}
	return argv, in, nil
}

// ChangeKey is the zfschangekey worker: the new key goes to zfs on
// standard input; the dataset becomes its own encryption root.
func (s *Service) ChangeKey(ctx context.Context, l Log, pool, name, format, key string) error {
	argv, in, err := s.CheckChangeKey(ctx, pool, name, format, key)
	if err != nil {
		return err
	}
	_, err = s.d.RunInput(ctx, l, in, argv...)
	return err
}
