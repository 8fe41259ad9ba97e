package api

import (
	"context"
	"errors"

	"hostadm/internal/disks"
	"hostadm/internal/disks/smartdconf"
	"hostadm/internal/schema"
)

// diskSmartdEndpoints are hostadm extensions for SMART monitoring: turning
// SMART on for a disk and smartd's configuration (DEVICESCAN and per-disk
// overrides with self-test schedules and mail targets).
func diskSmartdEndpoints() []*Endpoint {
	device := schema.Str("DEVICESCAN, or the disk's /dev path (a /dev/disk/by-id path survives renaming).").MaxLen(256)
	return []*Endpoint{
		{
			Method: "POST", Path: "/nodes/{node}/disks/smart", Name: "smart_enable",
			Description: "hostadm extension: enable SMART on a disk (smartctl -s on DISK); answers smartctl's output.",
			Perm:        modifyPerm(), ProxyTo: "node", Protected: true,
			Params:  nodeParams(schema.Props{"disk": diskParam()}),
			Returns: schema.Str(""),
			Handler: withDiskParam(func(ctx context.Context, _ *Request, s *disks.Service, dev string) (any, error) {
				return s.SmartEnable(ctx, dev)
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/smartd", Name: "smartd",
			Description: "hostadm extension: smartd's entries from /etc/smartd.conf: device, self-test schedule (-s), " +
				"mail target (-m), all directives, and ignored 1 for entries after DEVICESCAN (smartd does not read them).",
			Perm: auditPerm(), ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withDisks(func(_ context.Context, _ *Request, s *disks.Service) (any, error) {
				return s.SmartdConfig()
			}),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/smartd", Name: "set_smartd",
			Description: "hostadm extension: set the self-test schedule and mail target of DEVICESCAN or of a disk's " +
				"override (a new override starts from DEVICESCAN's directives with -a and goes before it). Other lines " +
				"of the file are kept as they are. A running smartd reloads the file (systemctl try-reload-or-restart " +
				"smartmontools.service); a failed reload is the answer's error, the file stays written.",
			Perm: modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"device":   device,
				"schedule": schema.Str("Self-test schedule (-s): a regular expression over T/MM/DD/d/HH, e.g. (S/../.././02|L/../../6/03).").MaxLen(256).Opt(),
				"mail":     schema.Str("Warning mail (-m): comma-separated users or addresses, or <nomailer>.").MaxLen(256).Opt(),
				"delete":   schema.Str("Directives to remove.").Fmt("pve-configid-list").Opt(),
				"digest":   schema.Str("Digest of the file the change was made from.").MaxLen(64).Opt(),
			}),
			Returns: schema.Null(),
			Handler: withDisks(setSmartd),
		},
		{
			Method: "DELETE", Path: "/nodes/{node}/disks/smartd", Name: "remove_smartd",
			Description: "hostadm extension: remove a disk's override entry from /etc/smartd.conf.",
			Perm:        modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"device": device,
				"digest": schema.Str("Digest of the file the change was made from.").MaxLen(64).Opt(),
			}),
			Returns: schema.Null(),
			Handler: withDisks(func(ctx context.Context, r *Request, s *disks.Service) (any, error) {
				return nil, smartdErr(s.RemoveSmartd(ctx, r.Params.String("device"), r.Params.String("digest")))
			}),
		},
	}
}

func setSmartd(ctx context.Context, r *Request, s *disks.Service) (any, error) {
	var c smartdconf.Change
	for _, k := range r.Params.List("delete") {
		empty := ""
		switch k {
		case "schedule":
			c.Schedule = &empty
		case "mail":
			c.Mail = &empty
		default:
			return nil, schema.ParamError{"delete": "unknown directive '" + k + "' (schedule, mail)"}
		}
	}
	for _, k := range []string{"schedule", "mail"} {
		if !r.Params.Has(k) {
			continue
		}
		v := r.Params.String(k)
		if k == "schedule" {
			c.Schedule = &v
		} else {
			c.Mail = &v
		}
	}
	errs := schema.ParamError{}
	if err := smartdconf.CheckDevice(r.Params.String("device")); err != nil {
		errs["device"] = err.Error()
	}
	if c.Schedule != nil && *c.Schedule != "" {
		if err := smartdconf.CheckSchedule(*c.Schedule); err != nil {
			errs["schedule"] = err.Error()
		}
	}
	if c.Mail != nil && *c.Mail != "" {
		if err := smartdconf.CheckMail(*c.Mail); err != nil {
			errs["mail"] = err.Error()
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return nil, smartdErr(s.SetSmartd(ctx, r.Params.String("device"), c, r.Params.String("digest")))
}

func smartdErr(err error) error {
	if errors.Is(err, disks.ErrSmartdInput) {
		return schema.ParamError{"device": err.Error()}
	}
	return err
}
