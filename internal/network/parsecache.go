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
	mu     sync.Mutex
	staged parsedFile
}

type parsedFile struct {
	data []byte
	k    *ifaces.Kernel
	cfg  *ifaces.Config
}

// parse returns data parsed with k, from the cache when the staged file
// last parsed was these bytes under the same kernel facts. Only a staged
// file is remembered (asStaged): a live file that is not the last staged
// one was changed behind the applier's back, or by ifupdown2's reload.
func (c *parseCache) parse(data []byte, k *ifaces.Kernel, asStaged bool) (*ifaces.Config, error) {
	c.mu.Lock()
	hit := c.staged
	c.mu.Unlock()
	if hit.cfg != nil && bytes.Equal(hit.data, data) && sameKernel(hit.k, k) {
		return hit.cfg, nil
	}
	cfg, err := ifaces.Parse(bytes.NewReader(data), k)
	if err != nil || !asStaged {
		return cfg, err
	}
	c.mu.Lock()
	c.staged = parsedFile{data: data, k: k, cfg: cfg}
	c.mu.Unlock()
	return cfg, nil
}

func sameKernel(a, b *ifaces.Kernel) bool {
	return maps.EqualFunc(a.Physical, b.Physical, slices.Equal) && maps.Equal(a.Up, b.Up)
}
