package api

import (
	"context"
	"errors"

	"hostadm/internal/disks"
	"hostadm/internal/disks/zfs"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// diskZFSMaintEndpoints are hostadm extensions for ZFS upkeep the guide
// shows as commands: changing an encryption key, TRIM, the periodic
// scrub and trim schedules, and the event daemon's mail settings.
func diskZFSMaintEndpoints() []*Endpoint {
	modify := rootModifyPerm()
	audit := rootAuditPerm()
	return []*Endpoint{
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/change-key", Name: "change_key",
			Description: "hostadm extension: change the wrapping key of an encrypted dataset (zfs change-key with " +
				"keylocation=prompt); the key goes to zfs on standard input only and is never logged. The key must be loaded.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: namedParams(schema.Props{
				"dataset":   schema.Str("The encrypted dataset (POOL/NAME or the pool).").MaxLen(255),
				"keyformat": schema.Str("Format of the new key.").OneOf(zfs.KeyFormats...).Def("passphrase"),
				"key":       schema.Str("The new key: a passphrase (8-512 bytes) or 64 hex digits.").MaxLen(512),
			}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				pool, ds, format, key := r.Params.String("name"), r.Params.String("dataset"), r.Params.String("keyformat"), r.Params.String("key")
				if format == "" {
					format = "passphrase"
				}
				s := zfs.New(d)
				if _, _, err := s.CheckChangeKey(ctx, pool, ds, format, key); err != nil {
					return nil, schema.ParamError{"key": err.Error()}
				}
				return startTask(ctx, r, "zfschangekey", pool, func(ctx context.Context, l *tasks.Log) error {
					return s.ChangeKey(ctx, l, pool, ds, format, key)
				})
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/disks/zfs/{name}/trim", Name: "trim",
			Description: "hostadm extension: start, cancel or suspend a manual TRIM of the pool (zpool trim) as a task.",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  namedParams(schema.Props{"action": schema.Str("What to do.").OneOf("start", "cancel", "suspend").Def("start")}),
			Returns: schema.Str(""),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				name, action := r.Params.String("name"), r.Params.String("action")
				if action == "" {
					action = "start"
				}
				if _, err := zfs.TrimArgs(name, action); err != nil {
					return nil, schema.ParamError{"name": err.Error()}
				}
				s := zfs.New(d)
				return startTask(ctx, r, "zfstrim", name, func(ctx context.Context, l *tasks.Log) error {
					return s.Trim(ctx, l, name, action)
				})
			}),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/zfs/{name}/autotrim", Name: "autotrim",
			Description: "hostadm extension: set the pool's autotrim property (zpool set autotrim=on|off).",
			Perm:        modify, ProxyTo: "node", Protected: true,
			Params:  namedParams(schema.Props{"autotrim": schema.Bool("Trim freed blocks continuously.")}),
			Returns: schema.Null(),
			Handler: withDisks(func(ctx context.Context, r *Request, d *disks.Service) (any, error) {
				return nil, zfs.New(d).SetAutotrim(ctx, r.Params.String("name"), r.Params.Bool("autotrim"))
			}),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs-schedules", Name: "schedules",
			Description: "hostadm extension: periodic scrubs and trims (Debian's /etc/cron.d/zfsutils-linux lines and " +
				"enabled zfs-scrub/trim-weekly|monthly@POOL timers) and each pool's autotrim.",
			Perm: audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: diskRead(zfs.New, (*zfs.Service).Schedules),
		},
		{
			Method: "GET", Path: "/nodes/{node}/disks/zfs-zed", Name: "zed",
			Description: "hostadm extension: the ZFS event daemon's mail settings from /etc/zfs/zed.d/zed.rc " +
				"(email-addr, email-prog, email-opts, notify-interval, notify-verbose), every active ZED_ value and the digest.",
			Perm: audit, ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withDisks(func(_ context.Context, _ *Request, d *disks.Service) (any, error) {
				return zfs.New(d).Zed()
			}),
		},
		{
			Method: "PUT", Path: "/nodes/{node}/disks/zfs-zed", Name: "set_zed",
			Description: "hostadm extension: set ZED's mail settings in zed.rc, keeping the rest of the file; deleted " +
				"settings are commented out.",
			Perm: modify, ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"email-addr":      schema.Str("ZED_EMAIL_ADDR: addresses separated by spaces.").MaxLen(512).Opt(),
				"email-prog":      schema.Str("ZED_EMAIL_PROG: the mail program.").MaxLen(256).Opt(),
				"email-opts":      schema.Str("ZED_EMAIL_OPTS: its options, with @ADDRESS@ and @SUBJECT@.").MaxLen(512).Opt(),
				"notify-interval": schema.Int("ZED_NOTIFY_INTERVAL_SECS: seconds between similar notifications.").Min(0).Max(9999999).Opt(),
				"notify-verbose":  schema.Bool("ZED_NOTIFY_VERBOSE: also mail when the pool is healthy.").Opt(),
				"delete":          schema.Str("Settings to comment out.").Fmt("pve-configid-list").Opt(),
				"digest":          schema.Str("Digest of the file the change was made from.").MaxLen(64).Opt(),
			}),
			Returns: schema.Null(),
			Handler: withDisks(setZed),
		},
	}
}

func setZed(ctx context.Context, r *Request, d *disks.Service) (any, error) {
	set := map[string]string{}
	errs := schema.ParamError{}
	for api := range zfs.ZedKeys {
		if !r.Params.Has(api) {
			continue
		}
		v := r.Params.String(api)
		if api == "notify-verbose" {
			v = "0"
			if r.Params.Bool(api) {
				v = "1"
			}
		}
		if err := zfs.CheckZedValue(api, v); err != nil {
			errs[api] = err.Error()
		}
		set[api] = v
	}
	del := r.Params.List("delete")
	for _, k := range del {
		if zfs.ZedKeys[k] == "" {
			errs["delete"] = "unknown setting '" + k + "'"
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	err := zfs.New(d).SetZed(ctx, set, del, r.Params.String("digest"))
	if errors.Is(err, zfs.ErrZedInput) {
		return nil, BadRequest(err.Error())
	}
	return nil, err
}
