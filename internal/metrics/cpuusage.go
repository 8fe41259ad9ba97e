package metrics

// statusMinTicks is the smallest window, in USER_HZ ticks summed over all
// CPUs (one CPU-second), that Status turns into a new usage figure. A
// shorter window gives noisy fractions, or none when no tick has passed, so
// the previous figure is kept until enough time has gone by. Proxmox VE does
// the same with a larger window (1000 ticks).
const statusMinTicks = UserHZ

// cpuUsage turns successive /proc/stat readings into usage fractions. The
// first reading is measured against zero, that is since boot.
type cpuUsage struct {
	minTicks  uint64
	base      CPUStat
	have      bool
	cpu, wait float64
}

// update folds in a reading and returns the current cpu and iowait
// fractions (0..1).
func (u *cpuUsage) update(s CPUStat) (cpu, wait float64) {
	if u.have && s.Total() < u.base.Total()+max(u.minTicks, 1) {
		if s.Total() < u.base.Total() {
			u.base = s // counters went backwards: restart the window
		}
		return u.cpu, u.wait
	}
	var from CPUStat
	if u.have {
		from = u.base
	}
	u.cpu, u.wait = fractions(from, s)
	u.base, u.have = s, true
	return u.cpu, u.wait
}

// fractions is busy and iowait time between two readings over all time
// between them, clamped to 0..1.
func fractions(from, to CPUStat) (cpu, wait float64) {
	total := float64(to.Total() - from.Total())
	if total <= 0 {
		return 0, 0
	}
	used := float64(sub(to.Used(), from.Used()))
	iowait := float64(sub(to.IOWait, from.IOWait))
	return min(used/total, 1), min(iowait/total, 1)
}
