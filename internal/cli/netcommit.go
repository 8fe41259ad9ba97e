package cli

import (
	"context"
	"fmt"

	"hostadm/internal/host"
	"hostadm/internal/network"
)

// runNetCommit is `hostadm network commit [--root DIR]`: at boot, before
// networking starts (packaging/hostadm-netcommit.service), the staged
// /etc/network/interfaces.new replaces the live file, as Proxmox's
// pvenetcommit does. It works on the node's files directly: no daemon.
func runNetCommit(env *Env, args []string) error {
	dir := "/"
	if len(args) == 2 && args[0] == "--root" {
		dir, args = args[1], nil
	}
	if len(args) != 0 {
		return usageError{"USAGE: hostadm network commit [--root DIR]"}
	}
	root, err := host.NewRoot(dir)
	if err != nil {
		return err
	}
	done, err := network.New(network.Config{Root: root}).CommitStaged(context.Background())
	if err != nil {
		return err
	}
	if done {
		fmt.Fprintf(env.Stdout, "committed %s to %s\n", network.StagedPath, network.LivePath)
	}
	return nil
}
