package storage

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"hostadm/internal/schema"
	"hostadm/internal/sectioncfg"
)

// Volume is one entry of a storage's content list, in the shape of
// Proxmox's GET /nodes/{node}/storage/{storage}/content.
type Volume struct {
	Volid     string `json:"volid"`
	Format    string `json:"format"`
	Size      int64  `json:"size"`
	Used      *int64 `json:"used,omitempty"`
	Ctime     int64  `json:"ctime,omitempty"`
	VMID      int    `json:"vmid,omitempty"`
	Parent    string `json:"parent,omitempty"`
	Content   string `json:"content"`
	Subtype   string `json:"subtype,omitempty"`
	Notes     string `json:"notes,omitempty"`
	Protected int    `json:"protected,omitempty"`
}

// ContentTypes are the content types a listing walks, in Proxmox's order.
var ContentTypes = []string{"rootdir", "images", "vztmpl", "iso", "backup", "snippets", "import"}

// defaultContent is each storage type's content when storage.cfg gives none.
var defaultContent = map[string]string{
	"dir": "images,rootdir", "btrfs": "images,rootdir", "lvm": "images",
	"lvmthin": "images,rootdir", "zfspool": "images,rootdir",
}

// Content lists a storage's volumes of the content types it holds (only
// ctype when given; only the guest vmid's when vmid > 0), sorted by volid
// ignoring case as Proxmox does.
func (s *Service) Content(ctx context.Context, p Prober, id, ctype string, vmid int) ([]Volume, error) {
	cfg, _, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	sec := cfg.Section(id)
	switch {
	case sec == nil:
		return nil, fmt.Errorf("storage '%s' does not exist", id)
	case !OnNode(sec, s.node):
		return nil, fmt.Errorf("storage '%s' is not available on node '%s'", id, s.node)
	}
	if d, _ := sec.Props["disable"].(bool); d {
		return nil, fmt.Errorf("storage '%s' is disabled", id)
	}
	var types []string
	for _, t := range ContentTypes {
		if (ctype == "" || t == ctype) && slices.Contains(sectionContent(sec), t) {
			types = append(types, t)
		}
	}
	out := []Volume{}
	imagesDone := false
	for _, t := range types {
		var vols []Volume
		if t == "images" || t == "rootdir" {
			if imagesDone {
				continue
			}
			imagesDone = true
			vols, err = p.images(ctx, sec, vmid)
			if err != nil {
				return nil, err
			}
			vols = s.classify(ctx, vols, types)
		} else if path := str(sec, "path"); path != "" && (sec.Type == "dir" || sec.Type == "btrfs") {
			vols = p.files(sec, t, vmid)
		}
		out = append(out, vols...)
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Volid) < strings.ToLower(out[j].Volid) })
	return out, nil
}

func str(sec *sectioncfg.Section, k string) string { v, _ := sec.Props[k].(string); return v }

// sectionContent is the storage's content list, or its type's default.
func sectionContent(sec *sectioncfg.Section) []string {
	c := str(sec, "content")
	if c == "" {
		c = defaultContent[sec.Type]
	}
	return schema.SplitList(c)
}

// classify marks each image as a container's (rootdir) or a VM's
// (images), as Proxmox does from the guest list: a guest with a container
// configuration on this node is a container. Only the asked types stay.
func (s *Service) classify(ctx context.Context, vols []Volume, types []string) []Volume {
	out := vols[:0]
	for _, v := range vols {
		v.Content = "images"
		if s.isContainer(ctx, v.VMID) {
			v.Content = "rootdir"
		}
		if slices.Contains(types, v.Content) {
			out = append(out, v)
		}
	}
	return out
}

func (s *Service) isContainer(ctx context.Context, vmid int) bool {
	_, err := s.store.Get(ctx, fmt.Sprintf("nodes/%s/lxc/%d.conf", s.node, vmid))
	return err == nil
}

// images lists the guest volumes of a storage by its type.
func (p Prober) images(ctx context.Context, sec *sectioncfg.Section, vmid int) ([]Volume, error) {
	switch sec.Type {
	case "dir", "btrfs":
		return p.dirImages(sec, vmid), nil
	case "lvm", "lvmthin":
		out, err := p.run(ctx, LVSArgs(str(sec, "vgname"))...)
		if err != nil {
			return nil, err
		}
		return LVMImages(out, sec.ID, sec.Type, str(sec, "thinpool"), vmid), nil
	case "zfspool":
		out, err := p.run(ctx, ZFSListArgs(str(sec, "pool"))...)
		if err != nil {
			return nil, err
		}
		return ZFSImages(out, sec.ID, str(sec, "pool"), vmid), nil
	}
	return nil, nil
}
