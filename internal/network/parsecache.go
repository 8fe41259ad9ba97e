package network

import (
	"bytes"
	"maps"
	"slices"
	"sync"

	"hostadm/internal/network/ifaces"
)

// parseCache keeps the last parse of the staged file: an apply parses the
// staged file, makes it live, and the next apply (or the reachability
// check before it, in the same request) finds the same bytes again. A hit
// needs the same bytes and the same kernel facts; anything else parses.
// The configs it hands out are shared and must not be changed.
type parseCache struct {
	mu   sync.Mutex
	last parsedFile // the staged file parsed last
}

type parsedFile struct {
	data []byte
	k    *ifaces.Kernel
	cfg  *ifaces.Config
}

// live parses the live file, from the cache when it is the staged file
// last parsed under the same kernel facts. A live file is not remembered:
// one that is not the last staged file was changed behind the applier's
// back, or by ifupdown2's reload.
func (c *parseCache) live(data []byte, k *ifaces.Kernel) (*ifaces.Config, error) {
	if cfg := c.hit(data, k); cfg != nil {
		return cfg, nil
	}
	return ifaces.Parse(bytes.NewReader(data), k)
}

// staged parses the staged file, from the cache when it was parsed last,
// and remembers it.
func (c *parseCache) staged(data []byte, k *ifaces.Kernel) (*ifaces.Config, error) {
	if cfg := c.hit(data, k); cfg != nil {
		return cfg, nil
	}
	cfg, err := ifaces.Parse(bytes.NewReader(data), k)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.last = parsedFile{data: data, k: k, cfg: cfg}
	c.mu.Unlock()
	return cfg, nil
}

// hit is the remembered config when it was parsed from data under k.
func (c *parseCache) hit(data []byte, k *ifaces.Kernel) *ifaces.Config {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if last.cfg != nil && bytes.Equal(last.data, data) && sameKernel(last.k, k) {
		return last.cfg
	}
	return nil
}

func sameKernel(a, b *ifaces.Kernel) bool {
	return maps.EqualFunc(a.Physical, b.Physical, slices.Equal) && maps.Equal(a.Up, b.Up)
}
