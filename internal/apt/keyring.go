package apt

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
)

// KeyringInfo is a hostadm extension: the Proxmox archive keyring checked
// against the checksum Proxmox's documentation publishes.
type KeyringInfo struct {
	Path      string `json:"path"`
	Algorithm string `json:"algorithm"`
	Expected  string `json:"expected"`
	Actual    string `json:"actual,omitempty"`
	Status    string `json:"status"` // ok, mismatch, missing
	Message   string `json:"message"`
	Fix       *Fix   `json:"fix,omitempty"`
}

type publishedKey struct {
	path, url, algorithm, sum string
	newHash                   func() hash.Hash
}

// publishedKeys are the keyrings and checksums from Proxmox's installation
// guides ("Install Proxmox VE on Debian 12 Bookworm" and the trixie
// package repositories page).
var publishedKeys = map[string]publishedKey{
	"bookworm": {"/etc/apt/trusted.gpg.d/proxmox-release-bookworm.gpg",
		"https://enterprise.proxmox.com/debian/proxmox-release-bookworm.gpg", "sha512",
		"7da6fe34168adc6e479327ba517796d4702fa2f8b4f0a9833f5ea6e6b48f6507a6da403a274fe201595edc86a84463d50383d07f64bdde2e3658108db7d6dc87",
		sha512.New},
	"trixie": {ArchiveKeyring, "https://enterprise.proxmox.com/debian/proxmox-archive-keyring-trixie.gpg", "sha256",
		"136673be77aba35dcce385b28737689ad64fd785a797e57897589aed08db6e45", sha256.New},
}

// keyringCheck checks the release's keyring; nil for releases without a
// published checksum.
func (s *Service) keyringCheck(codename string) *KeyringInfo {
	k, ok := publishedKeys[codename]
	if !ok {
		return nil
	}
	info := &KeyringInfo{Path: k.path, Algorithm: k.algorithm, Expected: k.sum}
	fix := &Fix{Description: "Download " + k.url + " to " + k.path + " and compare its " + k.algorithm + " checksum with the published one."}
	raw, err := s.cfg.Root.ReadFile(k.path)
	if err != nil {
		info.Status, info.Message, info.Fix = "missing", "The Proxmox archive keyring is missing.", fix
		return info
	}
	h := k.newHash()
	h.Write(raw)
	info.Actual = hex.EncodeToString(h.Sum(nil))
	if info.Actual == k.sum {
		info.Status, info.Message = "ok", "The Proxmox archive keyring matches its published checksum."
		return info
	}
	info.Status, info.Fix = "mismatch", fix
	info.Message = "The Proxmox archive keyring differs from its published checksum (expected when the proxmox-archive-keyring package has updated it; otherwise replace it)."
	return info
}
