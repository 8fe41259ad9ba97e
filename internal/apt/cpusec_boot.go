package apt

import "strings"

// earlyLoadingHint is the advice given with an early microcode update: the
// boot loader's kernel command line takes dis_ucode_ldr to turn early
// loading off, set through hostadm's boot endpoint rather than by hand.
const earlyLoadingHint = "The kernel applied a microcode update early at boot (from the initrd). To stop early " +
	"loading (e.g. when a new microcode misbehaves), add 'dis_ucode_ldr' to the kernel command line with " +
	"PUT /nodes/{node}/boot/cmdline (or the Boot page), which refreshes the ESPs or runs update-grub, then reboot. " +
	"Remove it again the same way."

// microcodeBoot fills in whether the running kernel was booted with
// dis_ucode_ldr and, after an early update, how to turn early loading off.
func (s *Service) microcodeBoot(out *CPUSecurity) {
	raw, _ := s.cfg.Root.ReadFile("/proc/cmdline")
	out.EarlyLoadingDisabled = 0
	for _, opt := range strings.Fields(string(raw)) {
		if opt == "dis_ucode_ldr" {
			out.EarlyLoadingDisabled = 1
		}
	}
	if out.UpdatedEarly == 1 && out.EarlyLoadingDisabled == 0 {
		out.EarlyLoadingHint = earlyLoadingHint
	}
}
