package disks

import "testing"

func FuzzParsers(f *testing.F) {
	f.Add([]byte("DEVNAME=sda\nDEVTYPE=disk\n"), []byte("S:disk/by-id/ata-X\nE:ID_MODEL=X\n"))
	f.Add([]byte(`{"smart_status":{"passed":true},"ata_smart_attributes":{"table":[{"id":5}]}}`), []byte(`/dev/a\040b /m ext4 rw 0 0`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		u := ParseUdev(a, b)
		_ = u.ByIDLink()
		ParseMounts(a)
		ParseBlkid(b)
		ParseDeviceList(a)
		ParseZpoolDevices(b)
		ParseLsblk(a)
		if sd, err := ParseSmartctlJSON(a); err == nil {
			sd.WearLeveling()
		}
	})
}
