package api

import (
	"context"
	"errors"
	"fmt"

	"hostadm/internal/guests"
	"hostadm/internal/schema"
)

func vmPowerEndpoints() []*Endpoint {
	skiplock := schema.Bool("Ignore locks - only root is allowed to use this option.").Opt()
	timeout := schema.Int("Wait maximal timeout seconds.").Min(0).Opt()
	keepActive := schema.Bool("Do not deactivate storage volumes.").Def(false)
	acts := []struct {
		action, name, desc, typ string
		props                   schema.Props
	}{
		{"start", "vm_start", "Start virtual machine.", "qmstart", schema.Props{"skiplock": skiplock,
			"timeout": schema.Int("Wait maximal timeout seconds.").Min(0).Max(86400).Opt()}},
		{"stop", "vm_stop", "Stop virtual machine. The qemu process will exit immediately. This is akin to pulling the power plug of a running computer and may damage the VM data.", "qmstop",
			schema.Props{"skiplock": skiplock, "timeout": timeout, "keepActive": keepActive,
				"overrule-shutdown": schema.Bool("Try to abort active 'qmshutdown' tasks before stopping.").Def(false)}},
		{"shutdown", "vm_shutdown", "Shutdown virtual machine. This is similar to pressing the power button on a physical machine. This will send an ACPI event for the guest OS, which should then proceed to a clean shutdown.", "qmshutdown",
			schema.Props{"skiplock": skiplock, "timeout": timeout, "keepActive": keepActive,
				"forceStop": schema.Bool("Make sure the VM stops.").Def(false)}},
		{"reboot", "vm_reboot", "Reboot the VM by shutting it down, and starting it again. Applies pending changes.", "qmreboot",
			schema.Props{"timeout": timeout}},
		{"reset", "vm_reset", "Reset virtual machine.", "qmreset", schema.Props{"skiplock": skiplock}},
		{"suspend", "vm_suspend", "Suspend virtual machine.", "qmsuspend", schema.Props{"skiplock": skiplock,
			"todisk": schema.Bool("If set, suspends the VM to disk. Will be resumed on next VM start.").Def(false)}},
		{"resume", "vm_resume", "Resume virtual machine.", "qmresume", schema.Props{"skiplock": skiplock,
			"nocheck": schema.Bool("").Opt()}},
	}
	var eps []*Endpoint
	for _, a := range acts {
		eps = append(eps, &Endpoint{
			Method: "POST", Path: "/nodes/{node}/qemu/{vmid}/status/" + a.action, Name: a.name,
			Description: a.desc,
			Perm:        Perm{Check: Privs("/vms/{vmid}", "VM.PowerMgmt")}, ProxyTo: "node", Protected: true,
			Params:  vmParams(a.props),
			Returns: schema.Str(""),
			Handler: withGuests(powerAction(a.typ)),
		})
	}
	return eps
}

// powerAction checks the VM's state at once (so a caller learns "not
// running" without reading a task log) and runs the action as a task.
func powerAction(typ string) func(context.Context, *Request, *guests.Service) (any, error) {
	return func(ctx context.Context, r *Request, g *guests.Service) (any, error) {
		id := vmid(r)
		if _, err := g.Load(ctx, id); err != nil {
			return nil, err
		}
		running := g.Running(id) != nil
		switch {
		case typ == "qmstart" && running:
			return nil, fmt.Errorf("VM %d already running", id)
		case typ != "qmstart" && !running:
			return nil, fmt.Errorf("VM %d %w", id, guests.ErrNotRunning)
		case typ == "qmsuspend" && r.Params.Bool("todisk"):
			return nil, schema.Fail("todisk", "suspend to disk is not supported by hostadm (VMs here have no state storage)")
		}
		a := guests.Action{Type: typ, Timeout: -1, Force: r.Params.Bool("forceStop")}
		if r.Params.Has("timeout") {
			a.Timeout = int(r.Params.Int("timeout"))
		}
		upid, err := g.Spawn(ctx, r.Identity.AuthID(), id, a)
		if errors.Is(err, guests.ErrNoVM) {
			return nil, err
		}
		return upid, err
	}
}
