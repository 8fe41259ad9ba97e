package daemon

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"hostadm/internal/access"
	"hostadm/internal/cfsfs"
	"hostadm/internal/disks/storage"
	"hostadm/internal/metrics/statuscfg"
	"hostadm/internal/nodecfg/nodeconf"
	"hostadm/internal/sectioncfg"
)

// mountStore serves the store at Config.Mount (Proxmox's /etc/pve).
func (n *Node) mountStore(ctx context.Context) (*cfsfs.Server, error) {
	return cfsfs.Mount(ctx, cfsfs.Config{
		Store:    n.store,
		Dir:      n.Config.Mount,
		Node:     n.Config.Node,
		Validate: validateStoreFile,
		Logger:   n.Config.Logger,
	})
}

// validateStoreFile refuses content that the API would refuse to read: a
// file written through the mount must not break what reads it.
func validateStoreFile(path string, data []byte) error {
	r := bytes.NewReader(data)
	var err error
	switch {
	case path == "storage.cfg":
		err = strictSections(sectioncfg.Parse(r, storage.Schema()))
	case path == "status.cfg":
		err = strictSections(sectioncfg.Parse(r, statuscfg.Schema()))
	case path == "user.cfg":
		_, err = access.ParseUserConfig(r)
	case path == "priv/shadow.cfg":
		_, err = access.ParseShadow(r)
	case path == "priv/token.cfg":
		_, err = access.ParseTokenSecrets(r)
	case strings.HasPrefix(path, "nodes/") && strings.Count(path, "/") == 2 && strings.HasSuffix(path, "/config"):
		_, err = nodeconf.Parse(r)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// strictSections refuses a section config that reads only with warnings:
// the API would skip the offending section or line, so writing it through
// the mount would lose configuration without a word.
func strictSections(_ *sectioncfg.Config, warns []sectioncfg.Warning, err error) error {
	if err != nil {
		return err
	}
	if len(warns) > 0 {
		return fmt.Errorf("line %d: %s", warns[0].Line, warns[0].Msg)
	}
	return nil
}
