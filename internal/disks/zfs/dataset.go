package zfs

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Dataset is one file system or volume of a pool with the properties the
// dataset endpoints manage: compression, special_small_blocks and the
// encryption state with its key.
type Dataset struct {
	Name               string `json:"name"`
	Type               string `json:"type"` // filesystem or volume
	Used               int64  `json:"used"`
	Avail              int64  `json:"avail"`
	Refer              int64  `json:"refer"`
	Mountpoint         string `json:"mountpoint"`
	Compression        string `json:"compression"`
	SpecialSmallBlocks int64  `json:"special_small_blocks"`
	Encryption         string `json:"encryption"`
	KeyFormat          string `json:"keyformat"`
	KeyLocation        string `json:"keylocation"`
	// KeyStatus is available, unavailable or "-" (not encrypted).
	KeyStatus      string `json:"keystatus"`
	EncryptionRoot string `json:"encryptionroot"`
	Mounted        string `json:"mounted"` // yes, no or "-" for volumes
}

// datasetProps are DatasetsArgs' columns, in order.
var datasetProps = []string{"name", "type", "used", "avail", "refer", "mountpoint", "compression",
	"special_small_blocks", "encryption", "keyformat", "keylocation", "keystatus", "encryptionroot", "mounted"}

// DatasetsArgs lists a pool's (or one dataset's, with depth 0) file
// systems and volumes in scripted, exact form.
func DatasetsArgs(name string, recursive bool) []string {
	argv := []string{"zfs", "list", "-Hp", "-t", "filesystem,volume", "-o", strings.Join(datasetProps, ",")}
	if recursive {
		argv = append(argv, "-r")
	}
	return append(argv, name)
}

// ParseDatasets parses DatasetsArgs' tab-separated output.
func ParseDatasets(b []byte) []Dataset {
	var out []Dataset
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) != len(datasetProps) || f[0] == "" {
			continue
		}
		n := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
		out = append(out, Dataset{Name: f[0], Type: f[1], Used: n(f[2]), Avail: n(f[3]), Refer: n(f[4]),
			Mountpoint: f[5], Compression: f[6], SpecialSmallBlocks: n(f[7]), Encryption: f[8],
			KeyFormat: f[9], KeyLocation: f[10], KeyStatus: f[11], EncryptionRoot: f[12], Mounted: f[13]})
	}
	return out
}

// Datasets lists a pool's datasets.
func (s *Service) Datasets(ctx context.Context, pool string) ([]Dataset, error) {
	if err := CheckPoolName(pool); err != nil {
		return nil, err
	}
	out, err := s.d.Output(ctx, DatasetsArgs(pool, true)...)
	if err != nil {
		return nil, err
	}
	return ParseDatasets(out), nil
}

// dataset reads one dataset's properties.
func (s *Service) dataset(ctx context.Context, name string) (*Dataset, error) {
	out, err := s.d.Output(ctx, DatasetsArgs(name, false)...)
	if err != nil {
		return nil, fmt.Errorf("dataset '%s': %w", name, err)
	}
	list := ParseDatasets(out)
	if len(list) != 1 {
		return nil, fmt.Errorf("dataset '%s' does not exist", name)
	}
	return &list[0], nil
}

// reComponent is a dataset name component ZFS accepts, without blanks.
var reComponent = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9_\-.:]+$`) })

// CheckDataset checks a full dataset name lies in pool (the pool itself
// only when allowPool) and uses only ZFS's name characters.
func CheckDataset(pool, name string, allowPool bool) error {
	if name == pool && allowPool {
		return nil
	}
	rest, ok := strings.CutPrefix(name, pool+"/")
	if !ok || len(name) > 255 {
		return fmt.Errorf("dataset '%s' is not in pool '%s'", name, pool)
	}
	for _, c := range strings.Split(rest, "/") {
		if !reComponent().MatchString(c) || c == "." || c == ".." {
			return fmt.Errorf("invalid dataset name '%s'", name)
		}
	}
	return nil
}

// reCompression are the compression values `zfs set` takes (OpenZFS 2.2).
var reCompression = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(on|off|lz4|lzjb|zle|gzip(-[1-9])?|zstd(-([1-9]|1[0-9]))?|` +
		`zstd-fast(-([1-9]|10|[2-9]0|100|500|1000))?)$`)
})

// CheckCompression checks a compression value; "inherit" drops the
// dataset's own setting.
func CheckCompression(v string) error {
	if v == "inherit" || reCompression().MatchString(v) {
		return nil
	}
	return fmt.Errorf("invalid compression '%s'", v)
}

// ParseSmallBlocks parses special_small_blocks: 0, or a power of two from
// 512 bytes to 1 MiB, as bytes or with a K or M suffix.
func ParseSmallBlocks(v string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1<<20 {
		return 0, fmt.Errorf("invalid special_small_blocks '%s': 0 or a power of two from 512 to 1M", v)
	}
	n *= mult
	if n != 0 && (n < 512 || n > 1<<20 || n&(n-1) != 0) {
		return 0, fmt.Errorf("invalid special_small_blocks '%s': 0 or a power of two from 512 to 1M", v)
	}
	return n, nil
}

// SetOptions are the properties the set endpoint changes; empty fields
// stay as they are.
type SetOptions struct {
	Compression        string // a value or "inherit"
	SpecialSmallBlocks *int64
}

// SetArgs are the commands SetOptions take, in order.
func SetArgs(name string, o SetOptions) [][]string {
	var out [][]string
	switch o.Compression {
	case "":
	case "inherit":
		out = append(out, []string{"zfs", "inherit", "compression", name})
	default:
		out = append(out, []string{"zfs", "set", "compression=" + o.Compression, name})
	}
	if o.SpecialSmallBlocks != nil {
		out = append(out, []string{"zfs", "set", "special_small_blocks=" + strconv.FormatInt(*o.SpecialSmallBlocks, 10), name})
	}
	return out
}

// SetProps is the zfsset worker. A special_small_blocks value not below
// the dataset's recordsize sends all its data to the special vdev; the
// log says so.
func (s *Service) SetProps(ctx context.Context, l Log, name string, o SetOptions) error {
	if o.SpecialSmallBlocks != nil && *o.SpecialSmallBlocks > 0 {
		out, err := s.d.Output(ctx, "zfs", "get", "-Hp", "-o", "value", "recordsize", name)
		if rs, perr := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil && perr == nil &&
			*o.SpecialSmallBlocks >= rs {
			l.Warn("special_small_blocks (%d) is not below the recordsize (%d): all of %s's data will be "+
				"written to the special vdev", *o.SpecialSmallBlocks, rs, name)
		}
	}
	for _, argv := range SetArgs(name, o) {
		if _, err := s.d.Run(ctx, l, argv...); err != nil {
			return err
		}
	}
	if o.Compression != "" {
		l.Printf("note: compression applies to newly written blocks only")
	}
	return nil
}
