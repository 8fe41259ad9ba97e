package boot

import (
	"bytes"
	"testing"

	"hostadm/internal/boot/boottest"
	"hostadm/internal/host"
)

func newRoot(t testing.TB, uefi bool) host.Root { return boottest.NewRoot(t, uefi) }

func write(t testing.TB, dir, p, content string) { boottest.Write(t, dir, p, content) }

func newDisk(t *testing.T, root host.Root) *boottest.Disk { return boottest.NewDisk(t, root) }

func udevLink(t *testing.T, root host.Root, part string) string {
	return boottest.UdevLink(t, root, part)
}

func espFiles(t *testing.T, root host.Root, part string) map[string]string {
	return boottest.ESPFiles(t, root, part)
}

func newService(t testing.TB, root host.Root) (*Service, *host.Recorder) {
	rec := host.NewRecorder()
	rec.Fallback = boottest.RealOnly{T: t}
	return New(Config{Root: root, Runner: boottest.GrubFaker{Runner: rec}}), rec
}

// outBuf collects both streams of an operation in one buffer.
func outBuf() (*bytes.Buffer, Out) {
	var b bytes.Buffer
	return &b, OneWriter(&b)
}
