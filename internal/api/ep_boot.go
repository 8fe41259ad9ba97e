package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"hostadm/internal/boot"
	"hostadm/internal/schema"
	"hostadm/internal/tasks"
)

// bootEndpoints are hostadm extensions: Proxmox VE manages the boot loader
// only with its proxmox-boot-tool command and has no API for it.
func bootEndpoints() []*Endpoint {
	return []*Endpoint{
		{
			Method: "GET", Path: "/nodes/{node}/boot", Name: "boot",
			Description: "hostadm extension: how the node boots (proxmox-boot-tool status and kernel list): " +
				"mode (uefi or legacy), Secure Boot state, the boot loader, each ESP of " + boot.ESPList +
				" with its state and the kernels on it (ESPs are mounted briefly to look), the kernels with " +
				"their selection, manual, pinned and next-boot flags, and the configured and running kernel " +
				"command line.",
			Perm: auditPerm(), ProxyTo: "node",
			Params:  nodeParams(nil),
			Returns: schema.Obj(nil).AllowMore(),
			Handler: withBoot(func(ctx context.Context, _ *Request, s *boot.Service) (any, error) {
				return s.Overview(ctx)
			}),
		},
		{
			Method: "POST", Path: "/nodes/{node}/boot/refresh", Name: "boot_refresh",
			Description: "hostadm extension: proxmox-boot-tool refresh as a task (bootrefresh): copy the " +
				"selected kernels and initrds to every ESP, write the loader entries or GRUB's configuration " +
				"and remove what is no longer selected; the log shows per ESP what was copied and removed.",
			Perm: modifyPerm(), ProxyTo: "node", Protected: true,
			Params: nodeParams(schema.Props{
				"hook": schema.Str("Run only this kernel hook.").OneOf("proxmox-auto-removal", "zz-proxmox-boot").Opt(),
			}),
			Returns: schema.Str("The task's UPID."),
			Handler: withBoot(func(ctx context.Context, r *Request, s *boot.Service) (any, error) {
				hook := r.Params.String("hook")
				return startTask(ctx, r, "bootrefresh", "", func(ctx context.Context, l *tasks.Log) error {
					return refreshLogged(ctx, s, hook, l)
				})
			}),
		},
		bootPinSet(), bootPinDelete(), bootCmdlineGet(), bootCmdlineSet(),
	}
}

func withBoot(fn func(context.Context, *Request, *boot.Service) (any, error)) Handler {
	return with("boot", func(s *Services) *boot.Service { return s.Boot }, fn)
}

// refreshLogged runs a refresh into a task log and ends with a summary
// line per ESP.
func refreshLogged(ctx context.Context, s *boot.Service, hook string, l *tasks.Log) error {
	w := logWriter{l}
	res, err := s.Refresh(ctx, hook, boot.OneWriter(w))
	for _, r := range res {
		if r.Skipped != "" {
			l.Printf("ESP %s: skipped: %s", r.UUID, r.Skipped)
			continue
		}
		l.Printf("ESP %s (%s): copied %s; removed %s", r.UUID, r.Loader, listOrNone(r.Copied), listOrNone(r.Removed))
	}
	return err
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// logWriter turns written lines into task log lines.
type logWriter struct{ l *tasks.Log }

func (w logWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.l.Printf("%s", line)
	}
	return len(p), nil
}

// kernelParamError maps a bad kernel version to Proxmox's 400 shape.
func kernelParamError(err error) error {
	var ke *boot.KernelError
	if errors.As(err, &ke) {
		return schema.ParamError{"version": strings.TrimPrefix(strings.SplitN(ke.Msg, "\n", 2)[0], "E: ")}
	}
	return err
}

func bootPinSet() *Endpoint {
	return &Endpoint{
		Method: "PUT", Path: "/nodes/{node}/boot/pin", Name: "boot_pin",
		Description: "hostadm extension: proxmox-boot-tool kernel pin: boot this kernel by default, or with " +
			"next-boot only on the next boot (the permanent pin is kept and comes back after that boot). " +
			"Takes effect with the next refresh (POST .../boot/refresh); on GRUB nodes without ESPs " +
			"update-grub runs at once.",
		Perm: modifyPerm(), ProxyTo: "node", Protected: true,
		Params: nodeParams(schema.Props{
			"version":   schema.Str("The kernel version (ABI), as in /boot/vmlinuz-VERSION.").MaxLen(128),
			"next-boot": schema.Bool("Pin only for the next boot.").Def(0),
		}),
		Returns: nullReturn(),
		Handler: withBoot(func(ctx context.Context, r *Request, s *boot.Service) (any, error) {
			var b strings.Builder
			err := s.Pin(ctx, r.Params.String("version"), r.Params.Bool("next-boot"), boot.OneWriter(&b))
			return nil, kernelParamError(err)
		}),
	}
}

func bootPinDelete() *Endpoint {
	return &Endpoint{
		Method: "DELETE", Path: "/nodes/{node}/boot/pin", Name: "boot_unpin",
		Description: "hostadm extension: proxmox-boot-tool kernel unpin: remove the next-boot pin and, " +
			"unless next-boot is set, the permanent pin too. Takes effect with the next refresh.",
		Perm: modifyPerm(), ProxyTo: "node", Protected: true,
		Params: nodeParams(schema.Props{
			"next-boot": schema.Bool("Remove only the next-boot pin.").Def(0),
		}),
		Returns: nullReturn(),
		Handler: withBoot(func(ctx context.Context, r *Request, s *boot.Service) (any, error) {
			var b strings.Builder
			return nil, s.Unpin(ctx, r.Params.Bool("next-boot"), boot.OneWriter(&b))
		}),
	}
}

func bootCmdlineGet() *Endpoint {
	return &Endpoint{
		Method: "GET", Path: "/nodes/{node}/boot/cmdline", Name: "boot_cmdline",
		Description: "hostadm extension: the kernel command line configured for the next boot (systemd-boot: " +
			"first line of " + boot.CmdlineFile + "; GRUB: GRUB_CMDLINE_LINUX_DEFAULT of " + boot.GrubDefault +
			", with GRUB_CMDLINE_LINUX read-only), its options, the running kernel's (/proc/cmdline) and " +
			"the digest of the file.",
		Perm: auditPerm(), ProxyTo: "node",
		Params:  nodeParams(nil),
		Returns: schema.Obj(nil).AllowMore(),
		Handler: withBoot(func(ctx context.Context, _ *Request, s *boot.Service) (any, error) {
			return s.GetCmdline(ctx)
		}),
	}
}

func bootCmdlineSet() *Endpoint {
	return &Endpoint{
		Method: "PUT", Path: "/nodes/{node}/boot/cmdline", Name: "set_boot_cmdline",
		Description: "hostadm extension: set the kernel command line for the next boot (e.g. add " +
			"dis_ucode_ldr, intel_iommu=on or net.naming-scheme=). Each option is validated (one line; " +
			"name[=value]; only double quotes). systemd-boot: written to " + boot.CmdlineFile + " (must keep " +
			"root=); GRUB: GRUB_CMDLINE_LINUX_DEFAULT in " + boot.GrubDefault + ", the rest of the file kept. " +
			"Then, as a task (bootcmdline), the ESPs are refreshed or update-grub runs; returns its UPID.",
		Perm: modifyPerm(), ProxyTo: "node", Protected: true,
		Params: nodeParams(schema.Props{
			"cmdline": schema.Str("The kernel command line.").MaxLen(2047),
			"digest":  nodeConfigDigest(),
		}),
		Returns: schema.Str("The task's UPID."),
		Handler: withBoot(setBootCmdline),
	}
}

func setBootCmdline(ctx context.Context, r *Request, s *boot.Service) (any, error) {
	loader, err := s.SetCmdline(ctx, r.Params.String("cmdline"), r.Params.String("digest"))
	var ce *boot.CmdlineError
	if errors.As(err, &ce) {
		return nil, schema.ParamError{"cmdline": ce.Error()}
	}
	if err != nil {
		return nil, err
	}
	return startTask(ctx, r, "bootcmdline", "", func(ctx context.Context, l *tasks.Log) error {
		l.Printf("kernel command line written for %s", loader)
		if err := s.ApplyCmdline(ctx, boot.OneWriter(logWriter{l})); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		return nil
	})
}
