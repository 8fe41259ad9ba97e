package metrics

import (
	"hostadm/internal/metrics/wire"
)

// NodeObject turns one round into the node data object pvestatd exports
// (formats §5.1): uptime, cpustat, memory, blockstat and nics, with the
// keys and derived values of PVE::ProcFSTools and Filesys::Df. The object
// is new memory: exporters may hold it while the next round is read.
func NodeObject(node string, s *NodeSample) wire.Object {
	fields := make([]wire.Field, 0, 5)
	fields = append(fields,
		wire.Int("uptime", int64(s.Uptime.Seconds)),
		wire.Hash("cpustat", cpustatFields(s)...),
		wire.Hash("memory", memoryFields(s)...),
		wire.Hash("nics", nicFields(s.NetDevs)...),
	)
	if bs := blockstatFields(s.RootVFS); bs != nil {
		fields = append(fields, wire.Hash("blockstat", bs...))
	}
	wire.Sort(fields)
	return wire.Object{Kind: wire.KindNode, ID: node, Time: s.Time, Fields: fields}
}

// cpustatFields is read_proc_stat's hash plus the load averages and the CPU
// count pvestatd adds. user and nice exclude guest time there, while used
// and total count it once.
func cpustatFields(s *NodeSample) []wire.Field {
	st := s.Stat
	cpus := max(st.CPUs, 1)
	return []wire.Field{
		wire.Int("user", int64(st.User)-int64(st.Guest)),
		wire.Int("nice", int64(st.Nice)-int64(st.GuestNice)),
		wire.Uint("system", st.System),
		wire.Uint("idle", st.Idle),
		wire.Uint("iowait", st.IOWait),
		wire.Uint("irq", st.IRQ),
		wire.Uint("softirq", st.SoftIRQ),
		wire.Uint("steal", st.Steal),
		wire.Uint("guest", st.Guest),
		wire.Uint("guest_nice", st.GuestNice),
		wire.Uint("used", st.Used()),
		wire.Uint("total", st.Total()),
		wire.Int("sum", 0), // initialised and never updated by ProcFSTools
		wire.Float("ctime", float64(s.At.UnixMicro())/1e6),
		wire.Float("cpu", s.CPU),
		wire.Float("wait", s.Wait),
		wire.Str("avg1", s.Loadavg.Text[0]),
		wire.Str("avg5", s.Loadavg.Text[1]),
		wire.Str("avg15", s.Loadavg.Text[2]),
		wire.Int("cpus", int64(cpus)),
	}
}

// memoryFields is read_meminfo's hash; arcmin and arcmax (PVE 9) only
// where ZFS is loaded.
func memoryFields(s *NodeSample) []wire.Field {
	m := s.Mem
	f := []wire.Field{
		wire.Uint("memtotal", m.MemTotal),
		wire.Uint("memfree", m.MemFree),
		wire.Uint("memavailable", m.MemAvailable),
		wire.Uint("memused", m.MemUsed()),
		wire.Uint("memshared", s.KSMShared),
		wire.Uint("swaptotal", m.SwapTotal),
		wire.Uint("swapfree", m.SwapFree),
		wire.Uint("swapused", m.SwapUsed()),
		wire.Uint("arcsize", s.ARC.Size),
	}
	if s.HaveARC {
		f = append(f, wire.Uint("arcmin", s.ARC.Min), wire.Uint("arcmax", s.ARC.Max))
	}
	return f
}

// nicFields is read_proc_net_dev: every device with its byte counters.
func nicFields(devs []NetDev) []wire.Field {
	f := make([]wire.Field, len(devs))
	for i, d := range devs {
		f[i] = wire.Hash(d.Name, wire.Uint("receive", d.RxBytes), wire.Uint("transmit", d.TxBytes))
	}
	return f
}
