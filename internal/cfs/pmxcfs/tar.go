package pmxcfs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// virtual names pmxcfs serves that are not files of the tree: links to the
// local node and generated status files. An archive of a mounted /etc/pve
// holds them; importing skips them.
var virtual = map[string]bool{
	"local": true, "qemu-server": true, "lxc": true, "openvz": true,
	".version": true, ".members": true, ".vmlist": true, ".clusterlog": true, ".rrd": true, ".debug": true,
}

// wwwDataGID is Debian's fixed gid of www-data, the group pmxcfs gives
// every entry.
const wwwDataGID = 33

// ReadTar reads an archive of /etc/pve (made with `tar -C /etc/pve -cf - .`
// or of the path /etc/pve itself).
func ReadTar(r io.Reader) (*Tree, error) {
	tr := tar.NewReader(r)
	t := &Tree{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		name := tarPath(h.Name)
		if name == "" || virtual[name] {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			t.Dirs = append(t.Dirs, name)
		case tar.TypeReg:
			if h.Size > MaxFileSize {
				return nil, fmt.Errorf("%w: %s is %d bytes, pmxcfs allows %d", ErrInvalid, name, h.Size, MaxFileSize)
			}
			data, err := io.ReadAll(io.LimitReader(tr, MaxFileSize+1))
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
			}
			t.Files = append(t.Files, File{Path: name, Data: data, ModTime: h.ModTime})
		case tar.TypeSymlink:
			continue // pmxcfs's own links; it makes no others
		default:
			return nil, fmt.Errorf("%w: %s is neither a file nor a directory", ErrInvalid, name)
		}
	}
	t.normalise()
	return t, t.Validate()
}

// tarPath turns an archive name into a tree path: "./", "etc/pve/" and
// "/etc/pve/" prefixes go, directories lose their trailing slash.
func tarPath(name string) string {
	name = strings.TrimPrefix(name, "/")
	name = strings.TrimPrefix(name, "./")
	if rest, ok := strings.CutPrefix(name, "etc/pve/"); ok {
		name = rest
	} else if name == "etc/pve" || name == "etc" || name == "etc/" {
		return ""
	}
	name = strings.TrimSuffix(name, "/")
	if name == "." || name == "" {
		return ""
	}
	return path.Clean(name)
}

// WriteTar writes the tree as an archive of /etc/pve with pmxcfs's owners
// and modes: root:www-data, 0640 files and 0755 directories, 0600 and 0700
// in the private areas.
func (t *Tree) WriteTar(w io.Writer) error {
	if err := t.Validate(); err != nil {
		return err
	}
	t.normalise()
	tw := tar.NewWriter(w)
	hdr := func(name string, mode int64, typ byte, size int64, mtime time.Time) *tar.Header {
		return &tar.Header{Name: name, Mode: mode, Typeflag: typ, Size: size, ModTime: mtime,
			Uid: 0, Gid: wwwDataGID, Uname: "root", Gname: "www-data", Format: tar.FormatPAX}
	}
	if err := tw.WriteHeader(hdr("./", 0o755, tar.TypeDir, 0, time.Unix(dirTime(t, ""), 0))); err != nil {
		return err
	}
	for _, d := range t.Dirs {
		mode := int64(0o755)
		if Private(d) {
			mode = 0o700
		}
		if err := tw.WriteHeader(hdr("./"+d+"/", mode, tar.TypeDir, 0, time.Unix(dirTime(t, d), 0))); err != nil {
			return err
		}
	}
	for _, f := range t.Files {
		mode := int64(0o640)
		if Private(f.Path) {
			mode = 0o600
		}
		if err := tw.WriteHeader(hdr("./"+f.Path, mode, tar.TypeReg, int64(len(f.Data)), f.ModTime)); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	return tw.Close()
}
