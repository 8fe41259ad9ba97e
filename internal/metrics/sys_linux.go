package metrics

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// VFSStat is what statvfs(3) reports of a file system: sizes in units of
// Frsize bytes and inode counts.
type VFSStat struct {
	Frsize                uint64
	Blocks, Bfree, Bavail uint64
	Files, Ffree, Favail  uint64
}

// statvfs is the default NodeConfig.StatVFS. Linux's statfs(2) has no
// f_favail; glibc's statvfs reports f_ffree for it, and so does this.
func statvfs(path string) (VFSStat, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return VFSStat{}, fmt.Errorf("statfs %s: %w", path, err)
	}
	frsize := uint64(st.Frsize)
	if frsize == 0 {
		frsize = uint64(st.Bsize)
	}
	return VFSStat{Frsize: frsize, Blocks: st.Blocks, Bfree: st.Bfree, Bavail: st.Bavail,
		Files: st.Files, Ffree: st.Ffree, Favail: st.Ffree}, nil
}

// uname is the default NodeConfig.Uname.
func uname() (sysname, release, version, machine string) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", "", "", ""
	}
	return unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]),
		unix.ByteSliceToString(u.Version[:]), unix.ByteSliceToString(u.Machine[:])
}
