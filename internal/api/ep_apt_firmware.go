package api

import (
	"context"
	"errors"

	"hostadm/internal/apt"
	"hostadm/internal/hostcfg"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// aptFirmwareEndpoints are hostadm extensions for the guide's "Firmware
// Updates": Debian's firmware component, the CPU microcode package and
// fwupd's persistent firmware.
func aptFirmwareEndpoints() []*Endpoint {
	modify, audit := modifyPerm(), auditPerm()
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/apt/firmware-component", Name: "firmware_component",
			Description: "hostadm extension: preview enabling Debian's firmware component (non-free-firmware; " +
				"non-free before bookworm) on every enabled Debian archive entry of the release: the entries, " +
				"their components before and after, a diff per file, and the digest to send with the PUT.",
			Perm: audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return firmwareResult(svc.FirmwarePlan())
			}),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/apt/firmware-component", Name: "enable_firmware_component",
			Description: "hostadm extension: add Debian's firmware component to the Debian archive entries (the fix " +
				"of the 'firmware-component-missing' repository warning). It needs the digest of the preview it applies; " +
				"with dry-run only the preview is answered.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"digest":  schema.Str("Digest of the repositories the preview (GET) was made from: the change is written only as previewed.").MaxLen(80),
				"dry-run": schema.Bool("Only show what would change.").Def(0),
			}),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				return firmwareResult(svc.EnableFirmware(ctx, r.Params.String("digest"), r.Params.Bool("dry-run")))
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/hardware/microcode", Name: "microcode",
			Description: "hostadm extension: the CPU vendor's microcode package (intel-microcode or amd64-microcode): " +
				"installed version, hold state (held 1/0) and the versions the repositories offer.",
			Perm: audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				m, err := svc.Microcode(ctx)
				return m, microcodeErr(err, "node")
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/hardware/microcode", Name: "microcode_action",
			Description: "hostadm extension: install (optionally a given version), downgrade to a version, hold or " +
				"unhold the CPU vendor's microcode package, as a task (apt-get non-interactive, apt-mark). Only " +
				"intel-microcode and amd64-microcode, chosen from the CPU vendor.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"action":  schema.Str("What to do.").OneOf(apt.MicrocodeActions...),
				"version": schema.Str("The package version (install: optional, downgrade: required).").MaxLen(64).Opt(),
			}),
			Returns: schema.Str(""),
			Handler: withApt(func(ctx context.Context, r *Request, svc *apt.Service) (any, error) {
				action, version := r.Params.String("action"), r.Params.String("version")
				pkg, err := svc.CheckMicrocode(ctx, action, version)
				if err != nil {
					return nil, microcodeErr(err, "version")
				}
				return startTask(ctx, r, "microcode", pkg, func(ctx context.Context, l *tasks.Log) error {
					return svc.MicrocodeTask(ctx, l, action, version)
				})
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/hardware/firmware", Name: "firmware",
			Description: "hostadm extension: persistent firmware through fwupd (fwupdmgr get-devices/get-updates " +
				"--json): installed 1/0, devices, updates, and a message when fwupd is missing or its daemon fails.",
			Perm: audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withHost(func(ctx context.Context, _ *Request, s *hostcfg.Service) (any, error) {
				return s.Firmware(ctx)
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/hardware/firmware", Name: "firmware_update",
			Description: "hostadm extension: apply fwupd's firmware updates as a task (fwupdmgr update --assume-yes " +
				"--no-reboot-check); refused when fwupd is not installed.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params:  nodeParams(nil),
			Returns: schema.Str(""),
			Handler: withHost(func(ctx context.Context, r *Request, s *hostcfg.Service) (any, error) {
				if err := s.CheckFirmwareUpdate(); err != nil {
					return nil, BadRequest(err.Error())
				}
				return startTask(ctx, r, "fwupdate", "", func(ctx context.Context, l *tasks.Log) error {
					return s.UpdateFirmware(ctx, l)
				})
			}),
		},
	}
}

// firmwareResult answers the firmware-component plan; a missing Debian
// entry is the caller's to fix, so it is a 400.
func firmwareResult(p *apt.FirmwarePlan, err error) (any, error) {
	if errors.Is(err, apt.ErrNoDebianEntry) {
		return nil, BadRequest(err.Error())
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// microcodeErr turns a refused microcode request into a parameter error.
func microcodeErr(err error, param string) error {
	if errors.Is(err, apt.ErrMicrocodeInput) {
		return schema.ParamError{param: err.Error()}
	}
	return err
}
