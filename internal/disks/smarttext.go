package disks

import (
	"fmt"
	"strconv"
	"strings"
)

// nvmeText renders the NVMe health log the way smartctl's text output
// does, which is what Proxmox shows as `text`.
func nvmeText(h *NVMeHealth) string {
	var b strings.Builder
	b.WriteString("SMART/Health Information (NVMe Log 0x02)\n")
	row := func(k, v string) { fmt.Fprintf(&b, "%-36s%s\n", k+":", v) }
	row("Critical Warning", fmt.Sprintf("0x%02x", h.CriticalWarning))
	row("Temperature", fmt.Sprintf("%d Celsius", h.Temperature))
	row("Available Spare", fmt.Sprintf("%d%%", h.AvailableSpare))
	row("Available Spare Threshold", fmt.Sprintf("%d%%", h.SpareThreshold))
	row("Percentage Used", fmt.Sprintf("%d%%", h.PercentageUsed))
	row("Data Units Read", thousands(h.DataUnitsRead))
	row("Data Units Written", thousands(h.DataUnitsWrite))
	row("Power Cycles", thousands(h.PowerCycles))
	row("Power On Hours", thousands(h.PowerOnHours))
	row("Unsafe Shutdowns", thousands(h.UnsafeShutdowns))
	row("Media and Data Integrity Errors", thousands(h.MediaErrors))
	row("Error Information Log Entries", thousands(h.ErrorLogEntries))
	return b.String()
}

// scsiText renders the SCSI/SAS health values smartctl prints as text.
func scsiText(doc *smartctlDoc) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SMART Health Status: %s\n", healthText(doc))
	if doc.SCSIPercentUsed != nil {
		fmt.Fprintf(&b, "Percentage used endurance indicator: %d%%\n", *doc.SCSIPercentUsed)
	}
	if t := doc.Temperature; t != nil {
		fmt.Fprintf(&b, "Current Drive Temperature:     %d C\n", t.Current)
		if t.DriveTrip > 0 {
			fmt.Fprintf(&b, "Drive Trip Temperature:        %d C\n", t.DriveTrip)
		}
	}
	if p := doc.PowerOnTime; p != nil {
		fmt.Fprintf(&b, "Accumulated power on time, hours:minutes %d:%02d\n", p.Hours, p.Minutes)
	}
	if doc.SCSIGrownDefects != nil {
		fmt.Fprintf(&b, "Elements in grown defect list: %d\n", *doc.SCSIGrownDefects)
	}
	return b.String()
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
