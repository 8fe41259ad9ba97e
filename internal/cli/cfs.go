package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"hostadm/internal/cfs/pmxcfs"
	"hostadm/internal/daemon"
)

// cfsUsage lists the cluster file store's subcommands.
const cfsUsage = `USAGE: hostadm cfs import FILE [--force] [--format auto|pmxcfs|tar]
       hostadm cfs export --format pmxcfs|tar FILE
       hostadm cfs backup FILE | restore FILE
  import  read Proxmox VE's /var/lib/pve-cluster/config.db or a tar of /etc/pve
          into the store (a non-empty store only with --force, which replaces it)
  export  write the store as a config.db that pmxcfs loads, or as a tar of /etc/pve
  backup  write every file of the store to a tar (on a cluster node: the whole
          cluster's store, through the running daemon's member)
  restore replace the store's files by a backup's (on a cluster node: on every node)
Options: --root DIR --data-dir DIR (as root, on the node)`

// runCfs moves a node's /etc/pve between Proxmox VE's files and the store.
func runCfs(env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" {
		fmt.Fprintln(env.Stdout, cfsUsage)
		return nil
	}
	fs := flag.NewFlagSet("cfs "+args[0], flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var g globalFlags
	var force bool
	var format string
	fs.StringVar(&g.Root, "root", "/", "host root `DIR`")
	fs.StringVar(&g.DataDir, "data-dir", "", "state `DIR`")
	fs.BoolVar(&force, "force", false, "replace a non-empty store")
	fs.StringVar(&format, "format", "auto", "pmxcfs, tar (or auto, on import)")
	if err := fs.Parse(interleave(args[1:])); err != nil {
		return usageError{cfsUsage}
	}
	if fs.NArg() != 1 {
		return usageError{cfsUsage}
	}
	file := fs.Arg(0)
	switch args[0] {
	case "backup":
		return cfsExport(env, g, file, "tar")
	case "restore":
		return cfsImport(env, g, file, "tar", true)
	case "import":
		return cfsImport(env, g, file, format, force)
	case "export":
		if format != "pmxcfs" && format != "tar" {
			return usageError{"hostadm cfs export: --format must be pmxcfs or tar\n" + cfsUsage}
		}
		return cfsExport(env, g, file, format)
	}
	return usageError{cfsUsage}
}

// interleave puts flags before the positional words, so that
// `import FILE --force` parses like `import --force FILE`.
func interleave(args []string) []string {
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
			if (a == "--format" || a == "--root" || a == "--data-dir" || a == "-format") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		words = append(words, a)
	}
	return append(flags, words...)
}

func cfsImport(env *Env, g globalFlags, file, format string, force bool) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if format == "auto" {
		format = "tar"
		if bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
			format = "pmxcfs"
		}
	}
	var tree *pmxcfs.Tree
	switch format {
	case "pmxcfs":
		tree, err = pmxcfs.ReadDB(file)
	case "tar":
		tree, err = pmxcfs.ReadTar(bytes.NewReader(data))
	default:
		return usageError{"hostadm cfs import: --format must be auto, pmxcfs or tar"}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	ctx := context.Background()
	n, err := openNode(ctx, g)
	if err != nil {
		return err
	}
	defer n.Close(ctx)
	res, err := tree.ToStore(ctx, n.Store(), force)
	if errors.Is(err, pmxcfs.ErrNotEmpty) {
		return fmt.Errorf("hostadm cfs import: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d files (%d bytes) from %s", res.Written, res.Bytes, file)
	if res.Replaced {
		fmt.Fprintf(env.Stdout, ", replacing the store's content (%d files removed)", res.Removed)
	}
	fmt.Fprintln(env.Stdout)
	for _, f := range tree.Files {
		fmt.Fprintf(env.Stdout, "  %s (%d bytes)\n", f.Path, len(f.Data))
	}
	if empty := len(tree.Dirs) - countParents(tree); empty > 0 {
		fmt.Fprintf(env.Stdout, "%d empty directories were not imported: the store keeps files only\n", empty)
	}
	return nil
}

// countParents counts the directories that hold at least one file.
func countParents(t *pmxcfs.Tree) int {
	n := 0
	for _, d := range t.Dirs {
		for _, f := range t.Files {
			if strings.HasPrefix(f.Path, d+"/") {
				n++
				break
			}
		}
	}
	return n
}

func cfsExport(env *Env, g globalFlags, file, format string) error {
	ctx := context.Background()
	n, err := openNode(ctx, g)
	if err != nil {
		return err
	}
	defer n.Close(ctx)
	tree, err := pmxcfs.FromStore(ctx, n.Store())
	if err != nil {
		return err
	}
	if format == "pmxcfs" {
		err = tree.WriteDB(file, 1)
	} else {
		err = writeNewFile(file, tree.WriteTar)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "exported %d files to %s (%s)\n", len(tree.Files), file, format)
	return nil
}

func openNode(ctx context.Context, g globalFlags) (*daemon.Node, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("hostadm cfs: needs root (it opens the store directly)")
	}
	return daemon.Open(ctx, daemon.Config{Root: g.Root, DataDir: g.DataDir})
}

// writeNewFile writes a file that must not exist yet, removing it again
// when writing fails.
func writeNewFile(file string, write func(w io.Writer) error) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(file)
		return err
	}
	return f.Close()
}
