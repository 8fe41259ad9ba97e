package nodecfg

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// wolNet is a pair of network namespaces made for one test: "tx" holds a0
// and b0, "rx" their veth peers a1 and b1.
type wolNet struct {
	tx, rx string
}

func run(t *testing.T, argv ...string) {
	t.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(argv, " "), err, out)
	}
}

// newWOLNet creates the namespaces and deletes them (by their own names)
// when the test ends.
func newWOLNet(t *testing.T) *wolNet {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip (iproute2) is missing")
	}
	n := &wolNet{
		tx: fmt.Sprintf("hostadm-wol-tx-%d", os.Getpid()),
		rx: fmt.Sprintf("hostadm-wol-rx-%d", os.Getpid()),
	}
	for _, ns := range []string{n.tx, n.rx} {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "delete", ns).Run() })
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	for i, p := range []string{"a", "b"} {
		run(t, "ip", "-n", n.tx, "link", "add", p+"0", "type", "veth", "peer", "name", p+"1", "netns", n.rx)
		run(t, "ip", "-n", n.tx, "addr", "add", fmt.Sprintf("10.77.%d.1/24", i+1), "dev", p+"0")
		run(t, "ip", "-n", n.rx, "addr", "add", fmt.Sprintf("10.77.%d.2/24", i+1), "dev", p+"1")
		run(t, "ip", "-n", n.tx, "link", "set", p+"0", "up")
		run(t, "ip", "-n", n.rx, "link", "set", p+"1", "up")
	}
	return n
}

// inNS runs f on a thread that has entered the namespace. The thread is
// never handed back to the runtime, so it dies with the goroutine.
func inNS(ns string, f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open("/var/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			done <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		done <- f()
	}()
	return <-done
}

// received is one datagram as the listener saw it.
type received struct {
	payload []byte
	iface   string // the interface it arrived on
	port    int
}

// listen opens a UDP socket on port 9 in the rx namespace with IP_PKTINFO
// and returns a function that waits for the next datagram.
func (n *wolNet) listen(t *testing.T) func() (*received, error) {
	t.Helper()
	var fd int
	names := map[int]string{}
	err := inNS(n.rx, func() error {
		var err error
		if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_PKTINFO, 1); err != nil {
			return err
		}
		tv := unix.NsecToTimeval(int64(3 * time.Second))
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			return err
		}
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		for _, i := range ifs {
			names[i.Index] = i.Name
		}
		return unix.Bind(fd, &unix.SockaddrInet4{Port: WOLPort})
	})
	if err != nil {
		t.Fatalf("listener: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return func() (*received, error) {
		buf, oob := make([]byte, 2048), make([]byte, 512)
		nb, noob, _, from, err := unix.Recvmsg(fd, buf, oob, 0)
		if err != nil {
			return nil, err
		}
		r := &received{payload: buf[:nb]}
		if sa, ok := from.(*unix.SockaddrInet4); ok {
			r.port = sa.Port
		}
		msgs, _ := unix.ParseSocketControlMessage(oob[:noob])
		for _, m := range msgs {
			if m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_PKTINFO {
				// struct in_pktinfo starts with the interface index.
				r.iface = names[int(binary.NativeEndian.Uint32(m.Data[:4]))]
			}
		}
		return r, nil
	}
}
