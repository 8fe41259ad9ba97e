package metrics

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// statfs is the default NodeConfig.Statfs: statfs(2) in bytes.
func statfs(path string) (total, free, avail uint64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, 0, 0, fmt.Errorf("statfs %s: %w", path, err)
	}
	bs := uint64(st.Bsize)
	return st.Blocks * bs, st.Bfree * bs, st.Bavail * bs, nil
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
