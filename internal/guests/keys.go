package guests

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"hostadm/internal/schema"
)

// SupportedKeys are the VM config keys hostadm understands and accepts.
var SupportedKeys = []string{"balloon", "cores", "cpu", "description", "machine", "memory", "name",
	"onboot", "shares", "sockets", "startup", "tags"}

// proxmoxKeys are the rest of Proxmox's VM config keys (qemu-server's
// schema); hostadm refuses them as "not supported" rather than dropping
// them. Names ending in "[n]" stand for the numbered family (net0, ...).
var proxmoxKeys = strings.Fields(`acpi affinity agent allow-ksm amd-sev arch args audio0 autostart bios
	boot bootdisk cdrom cicustom cipassword citype ciupgrade ciuser cpulimit cpuunits efidisk0 freeze
	hookscript hostpci[n] hotplug hugepages ide[n] intel-tdx ipconfig[n] ivshmem keephugepages keyboard
	kvm localtime lock migrate_downtime migrate_speed nameserver net[n] numa numa[n] ostype parallel[n]
	protection reboot rng0 sata[n] scsi[n] scsihw searchdomain serial[n] smbios1 smp spice_enhancements
	sshkeys startdate tablet tdf template tpmstate0 unused[n] usb[n] vcpus vga virtio[n] virtiofs[n]
	vmgenid vmstatestorage watchdog`)

// IsProxmoxKey tells whether key is one of Proxmox's VM config keys that
// hostadm does not support.
func IsProxmoxKey(key string) bool {
	base := strings.TrimRightFunc(key, func(r rune) bool { return r >= '0' && r <= '9' })
	for _, k := range proxmoxKeys {
		if k == key || (base != key && k == base+"[n]") {
			return true
		}
	}
	return false
}

// NotSupported is the message for a Proxmox key hostadm refuses.
func NotSupported(key string) string {
	why := ""
	switch {
	case key == "args":
		why = " (raw QEMU arguments are never passed through)"
	case strings.HasPrefix(key, "net"):
		why = " (VMs here have no network devices)"
	case IsDiskKey(key):
		why = " (VMs here have no disks)"
	}
	return fmt.Sprintf("option '%s' is not supported by hostadm%s", key, why)
}

var reDisk = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(ide|sata|scsi|virtio|unused)\d+$|^(efidisk0|tpmstate0|cdrom)$`)
})

// IsDiskKey tells whether key names a disk.
func IsDiskKey(key string) bool { return reDisk().MatchString(key) }

// KeySchemas are the API schemas of the supported keys, as Proxmox declares them.
func KeySchemas() schema.Props {
	return schema.Props{
		"name": schema.Str("Set a name for the VM. Only used on the configuration web interface.").Fmt("dns-name").Opt(),
		"memory": schema.Str("Memory properties.").PropFmt(schema.Props{
			"current": schema.Int("Current amount of online RAM for the VM in MiB. This is the maximum available memory when you use the balloon device.").Min(16).Def(512).DefKey(),
		}).Opt(),
		"balloon":     schema.Int("Amount of target RAM for the VM in MiB. Using zero disables the ballon driver.").Min(0).Opt(),
		"shares":      schema.Int("Amount of memory shares for auto-ballooning. The larger the number is, the more memory this VM gets.").Min(0).Max(50000).Def(1000),
		"cores":       schema.Int("The number of cores per socket.").Min(1).Def(1),
		"sockets":     schema.Int("The number of CPU sockets.").Min(1).Def(1),
		"cpu":         schema.Str("Emulated CPU type.").Fmt("pve-vm-cpu-conf").Opt(),
		"onboot":      schema.Bool("Specifies whether a VM will be started during system bootup.").Def(false),
		"startup":     schema.Str("Startup and shutdown behavior. Order is a non-negative number defining the general startup order.").Fmt("pve-startup-order").Opt(),
		"description": schema.Str("Description for the VM. Shown in the web-interface VM's summary.").MaxLen(8192).Opt(),
		"tags":        schema.Str("Tags of the VM. This is only meta information.").Fmt("pve-tag-list").Opt(),
		"machine":     schema.Str("Specify the QEMU machine.").Opt(),
	}
}

// Startup is a parsed "startup" value.
type Startup struct {
	Order    int // -1 when unset (sorts last)
	Up, Down int // -1 when unset
}

// ParseStartup reads "[[order=]N][,up=N][,down=N]".
func ParseStartup(v string) (Startup, error) {
	st := Startup{Order: -1, Up: -1, Down: -1}
	if strings.TrimSpace(v) == "" {
		return st, nil
	}
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			k, val = "order", k
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return st, fmt.Errorf("invalid startup value '%s'", part)
		}
		switch k {
		case "order":
			st.Order = n
		case "up":
			st.Up = n
		case "down":
			st.Down = n
		default:
			return st, fmt.Errorf("unknown startup option '%s'", k)
		}
	}
	return st, nil
}

var (
	reTag     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_][a-z0-9_\-+.]*$`) })
	reMachine = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(pc|q35|pc-(i440fx-|q35-)?\d+(\.\d+)+(\+pve\d+)?)$`)
	})
	// cpuModels are QEMU's x86 model names hostadm passes on.
	cpuModels = strings.Fields(`host kvm32 kvm64 qemu32 qemu64 max x86-64-v2 x86-64-v2-AES x86-64-v3
		x86-64-v4 Nehalem Westmere SandyBridge IvyBridge Haswell Broadwell Skylake-Client Skylake-Server
		Cascadelake-Server Icelake-Server EPYC EPYC-Rome EPYC-Milan Opteron_G5`)
)

// CheckValue validates the value of a supported key; "" when fine. It
// is the message for Proxmox's errors object.
func CheckValue(key, v string) string {
	ps := KeySchemas()[key]
	if ps == nil {
		return NotSupported(key)
	}
	if strings.ContainsAny(v, "\r\n") && key != "description" {
		return "value must not contain a line break"
	}
	raw := map[string]any{key: v}
	if _, err := schema.Obj(schema.Props{key: ps}).ValidateParams(raw); err != nil {
		if pe, ok := err.(schema.ParamError); ok {
			return strings.TrimSpace(pe[key])
		}
		return err.Error()
	}
	return checkFormat(key, v)
}

func checkFormat(key, v string) string {
	switch key {
	case "startup":
		if _, err := ParseStartup(v); err != nil {
			return err.Error()
		}
	case "tags":
		for _, t := range schema.SplitList(v) {
			if !reTag().MatchString(strings.ToLower(t)) {
				return fmt.Sprintf("invalid tag '%s'", t)
			}
		}
	case "machine":
		typ := strings.TrimPrefix(v, "type=")
		if strings.Contains(typ, ",") || !reMachine().MatchString(typ) {
			return fmt.Sprintf("machine '%s' is not supported by hostadm (use pc, q35 or a versioned pc/q35 type)", v)
		}
	case "cpu":
		typ := strings.TrimPrefix(v, "cputype=")
		if strings.Contains(typ, ",") {
			return "cpu options other than the type are not supported by hostadm"
		}
		if !contains(cpuModels, typ) {
			return fmt.Sprintf("Built-in cputype '%s' is not defined (missing 'custom-' prefix?)", typ)
		}
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
