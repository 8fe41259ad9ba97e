package cfsfs

import (
	"context"
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// links are pmxcfs's symbolic links into this node's directory.
var links = map[string]string{"local": "", "qemu-server": "/qemu-server", "lxc": "/lxc", "openvz": "/openvz"}

// dotFiles are pmxcfs's generated, read-only status files.
var dotFiles = []string{".version", ".members", ".vmlist", ".clusterlog"}

func (d *dirNode) isVirtual(name string) bool {
	_, ok := links[name]
	return ok || strings.HasPrefix(name, ".") && slices.Contains(dotFiles, name)
}

func (d *dirNode) virtualNames() map[string]uint32 {
	out := map[string]uint32{}
	for name := range links {
		out[name] = syscall.S_IFLNK
	}
	for _, name := range dotFiles {
		out[name] = syscall.S_IFREG
	}
	return out
}

// virtual answers a lookup of a link or a status file at the top.
func (d *dirNode) virtual(ctx context.Context, name string, out *fuse.EntryOut) *fs.Inode {
	if suffix, ok := links[name]; ok {
		target := "nodes/" + d.m.cfg.Node + suffix
		setAttr(&out.Attr, syscall.S_IFLNK|0o777, len(target), d.m.start, d.m.gid)
		return d.child(ctx, name, &linkNode{target: target}, syscall.S_IFLNK)
	}
	if !slices.Contains(dotFiles, name) {
		return nil
	}
	data := d.m.status(ctx, name)
	setAttr(&out.Attr, syscall.S_IFREG|0o440, len(data), time.Now(), d.m.gid)
	return d.child(ctx, name, &dotNode{m: d.m, name: name}, syscall.S_IFREG)
}

type linkNode struct {
	fs.Inode
	target string
}

var _ fs.NodeReadlinker = (*linkNode)(nil)

func (l *linkNode) Readlink(ctx context.Context) ([]byte, syscall.Errno) { return []byte(l.target), 0 }

// dotNode is a status file, made anew for each open.
type dotNode struct {
	fs.Inode
	m    *mountState
	name string
}

var (
	_ fs.NodeOpener    = (*dotNode)(nil)
	_ fs.NodeGetattrer = (*dotNode)(nil)
)

func (n *dotNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR) != 0 {
		return nil, 0, syscall.EACCES
	}
	return &handle{data: n.m.status(ctx, n.name)}, fuse.FOPEN_DIRECT_IO, 0
}

func (n *dotNode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	setAttr(&out.Attr, syscall.S_IFREG|0o440, len(n.m.status(ctx, n.name)), time.Now(), n.m.gid)
	return 0
}

// status makes a status file's JSON in pmxcfs's shape.
func (m *mountState) status(ctx context.Context, name string) []byte {
	var v any
	switch name {
	case ".version":
		rev, _ := m.cfg.Store.Revision(ctx)
		v = map[string]any{"starttime": m.start.Unix(), "clinfo": 1, "vmlist": rev, "kvstore": map[string]any{}}
	case ".members":
		if m.cfg.Members != nil {
			v = m.cfg.Members(ctx)
		} else {
			v = map[string]any{"nodename": m.cfg.Node, "version": 0}
		}
	case ".vmlist":
		v = m.vmlist(ctx)
	case ".clusterlog":
		v = map[string]any{"data": []any{}}
	}
	b, _ := json.MarshalIndent(v, "", "")
	return append(b, '\n')
}

// vmlist lists the guests of every node as pmxcfs's .vmlist does.
func (m *mountState) vmlist(ctx context.Context) map[string]any {
	ids := map[string]any{}
	list, _ := m.cfg.Store.List(ctx, "nodes/")
	for _, e := range list {
		parts := strings.Split(e.Path, "/")
		if len(parts) != 4 || (parts[2] != "qemu-server" && parts[2] != "lxc") || path.Ext(parts[3]) != ".conf" {
			continue
		}
		id := strings.TrimSuffix(parts[3], ".conf")
		if _, err := strconv.Atoi(id); err != nil {
			continue
		}
		typ := "qemu"
		if parts[2] == "lxc" {
			typ = "lxc"
		}
		ids[id] = map[string]any{"node": parts[1], "type": typ, "version": e.Version}
	}
	rev, _ := m.cfg.Store.Revision(ctx)
	return map[string]any{"version": rev, "ids": ids}
}
