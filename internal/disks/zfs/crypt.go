package zfs

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Encryptions are the encryption values `zfs create` takes ("on" is
// aes-256-gcm in OpenZFS 2.x).
var Encryptions = []string{"on", "aes-128-ccm", "aes-192-ccm", "aes-256-ccm", "aes-128-gcm", "aes-192-gcm", "aes-256-gcm"}

// KeyFormats are ZFS's key formats.
var KeyFormats = []string{"passphrase", "hex", "raw"}

// Key material never appears in an argument vector or a log: with
// keylocation=prompt and standard input not a terminal, zfs reads it
// from standard input (a line for passphrase and hex keys, exactly 32
// bytes for raw keys), which is how it is passed here.

// KeyInput checks key material against its format and returns what zfs
// reads from standard input. A passphrase has 8 to 512 bytes and no line
// break; a hex key is 64 hex digits; a raw key is given as 64 hex digits
// too (the API carries text) and passed on as its 32 bytes. Errors never
// quote the key.
func KeyInput(format, key string) ([]byte, error) {
	switch format {
	case "passphrase":
		if len(key) < 8 || len(key) > 512 {
			return nil, errors.New("passphrase must be 8 to 512 bytes long")
		}
		if strings.ContainsAny(key, "\r\n\x00") {
			return nil, errors.New("passphrase must not contain line breaks or NUL")
		}
		return []byte(key + "\n"), nil
	case "hex", "raw":
		b, err := hex.DecodeString(key)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("a %s key must be given as 64 hex digits", format)
		}
		if format == "hex" {
			return []byte(key + "\n"), nil
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown keyformat '%s'", format)
}

// CheckKeyLocation accepts "prompt" and file:///ABSOLUTE/PATH.
func CheckKeyLocation(loc string) error {
	if loc == "prompt" {
		return nil
	}
	p, ok := strings.CutPrefix(loc, "file://")
	if !ok || !path.IsAbs(p) || path.Clean(p) != p {
		return fmt.Errorf("invalid keylocation '%s': 'prompt' or file:///absolute/path", loc)
	}
	return nil
}

// CreateDatasetOptions are the dataset create endpoint's parameters.
type CreateDatasetOptions struct {
	Name               string
	Encryption         string // "" for a plain dataset
	KeyFormat          string
	KeyLocation        string // default prompt
	Key                string // key material for keylocation=prompt
	Compression        string
	SpecialSmallBlocks *int64
}

// CreateDatasetArgs checks the options and returns the argument vector
// and the standard input for `zfs create`.
func (s *Service) CreateDatasetArgs(pool string, o CreateDatasetOptions) ([]string, []byte, error) {
	if err := CheckDataset(pool, o.Name, false); err != nil {
		return nil, nil, err
	}
	argv := []string{"zfs", "create"}
	var stdin []byte
	if o.Encryption == "" {
		if o.KeyFormat != "" || o.KeyLocation != "" || o.Key != "" {
			return nil, nil, errors.New("keyformat, keylocation and key need encryption")
		}
	} else {
		if !slices.Contains(Encryptions, o.Encryption) {
			return nil, nil, fmt.Errorf("invalid encryption '%s'", o.Encryption)
		}
		if o.KeyFormat == "" {
			return nil, nil, errors.New("keyformat required for a new encryption root")
		}
		loc := o.KeyLocation
		if loc == "" {
			loc = "prompt"
		}
		in, err := s.keyFor(o.KeyFormat, loc, o.Key)
		if err != nil {
			return nil, nil, err
		}
		stdin = in
		argv = append(argv, "-o", "encryption="+o.Encryption, "-o", "keyformat="+o.KeyFormat, "-o", "keylocation="+loc)
	}
	if o.Compression != "" {
		if err := CheckCompression(o.Compression); err != nil || o.Compression == "inherit" {
			return nil, nil, fmt.Errorf("invalid compression '%s'", o.Compression)
		}
		argv = append(argv, "-o", "compression="+o.Compression)
	}
	if o.SpecialSmallBlocks != nil {
		argv = append(argv, "-o", "special_small_blocks="+strconv.FormatInt(*o.SpecialSmallBlocks, 10))
	}
	return append(argv, o.Name), stdin, nil
}

// keyFor checks the key against its location: with prompt it is required
// and becomes standard input; with a file it must not be given and the
// file must exist.
func (s *Service) keyFor(format, loc, key string) ([]byte, error) {
	if !slices.Contains(KeyFormats, format) {
		return nil, fmt.Errorf("unknown keyformat '%s'", format)
	}
	if err := CheckKeyLocation(loc); err != nil {
		return nil, err
	}
	if loc != "prompt" {
		if key != "" {
			return nil, errors.New("key given, but keylocation names a key file")
		}
		if p := strings.TrimPrefix(loc, "file://"); !s.d.Root().Exists(p) {
			return nil, fmt.Errorf("key file '%s' does not exist", p)
		}
		return nil, nil
	}
	if key == "" {
		return nil, errors.New("key required: keylocation is 'prompt'")
	}
	return KeyInput(format, key)
}

// CreateDataset is the zfscreate worker: `zfs create`, with the key on
// standard input for a new encryption root.
func (s *Service) CreateDataset(ctx context.Context, l Log, pool string, o CreateDatasetOptions) error {
	argv, stdin, err := s.CreateDatasetArgs(pool, o)
	if err != nil {
		return err
	}
	if o.Encryption != "" {
		l.Printf("note: keep the key safe: without it the data in %s cannot be read; the key must be loaded "+
			"after every boot (load-key) before the dataset can be mounted", o.Name)
	}
	_, err = s.d.RunInput(ctx, l, stdin, argv...)
	return err
}

// CheckLoadKey reads the dataset and returns the standard input for
// `zfs load-key`: it must be an encryption root whose key is not loaded.
func (s *Service) CheckLoadKey(ctx context.Context, pool, name, key string) ([]byte, *Dataset, error) {
	ds, err := s.encrypted(ctx, pool, name)
	if err != nil {
		return nil, nil, err
	}
	if ds.EncryptionRoot != ds.Name {
		return nil, nil, fmt.Errorf("the key of '%s' is the key of its encryption root '%s'", name, ds.EncryptionRoot)
	}
	if ds.KeyStatus == "available" {
		return nil, nil, fmt.Errorf("key for '%s' is already loaded", name)
	}
	in, err := s.keyFor(ds.KeyFormat, ds.KeyLocation, key)
	return in, ds, err
}

func (s *Service) encrypted(ctx context.Context, pool, name string) (*Dataset, error) {
	if err := CheckDataset(pool, name, true); err != nil {
		return nil, err
	}
	ds, err := s.dataset(ctx, name)
	if err != nil {
		return nil, err
	}
	if ds.Encryption == "off" || ds.Encryption == "" {
		return nil, fmt.Errorf("dataset '%s' is not encrypted", name)
	}
	return ds, nil
}

// LoadKey is the zfsloadkey worker: `zfs load-key NAME` with the key on
// standard input (keylocation=prompt) or from its file, then
// `zfs mount NAME` when asked and it is an unmounted file system.
func (s *Service) LoadKey(ctx context.Context, l Log, pool, name, key string, mount bool) error {
	stdin, ds, err := s.CheckLoadKey(ctx, pool, name, key)
	if err != nil {
		return err
	}
	if _, err := s.d.RunInput(ctx, l, stdin, "zfs", "load-key", name); err != nil {
		return err
	}
	if mount && ds.Type == "filesystem" && ds.Mounted != "yes" {
		_, err = s.d.Run(ctx, l, "zfs", "mount", name)
	}
	return err
}

// CheckUnloadKey checks the dataset is an encryption root with its key
// loaded.
func (s *Service) CheckUnloadKey(ctx context.Context, pool, name string) (*Dataset, error) {
	ds, err := s.encrypted(ctx, pool, name)
	if err != nil {
		return nil, err
	}
	if ds.EncryptionRoot != ds.Name {
		return nil, fmt.Errorf("the key of '%s' is the key of its encryption root '%s'", name, ds.EncryptionRoot)
	}
	if ds.KeyStatus != "available" {
		return nil, fmt.Errorf("key for '%s' is not loaded", name)
	}
	return ds, nil
}

// UnloadKey is the zfsunloadkey worker: `zfs unmount NAME` when the file
// system is mounted, then `zfs unload-key NAME`.
func (s *Service) UnloadKey(ctx context.Context, l Log, pool, name string) error {
	ds, err := s.CheckUnloadKey(ctx, pool, name)
	if err != nil {
		return err
	}
	if ds.Type == "filesystem" && ds.Mounted == "yes" {
		if _, err := s.d.Run(ctx, l, "zfs", "unmount", name); err != nil {
			return err
		}
	}
	_, err = s.d.Run(ctx, l, "zfs", "unload-key", name)
	return err
}
