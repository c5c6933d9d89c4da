package core

import "sync"

// SigCache remembers the IDs of txs whose signatures verified, so a block
// whose txs were admitted to the mempool is not verified twice. A tx ID
// covers the signature, so a hit means this exact signature verified. It is
// bounded: when full, an arbitrary quarter of the entries is dropped.
// Safe for concurrent use.
type SigCache struct {
	mu  sync.RWMutex
	max int
	ids map[Hash]struct{}
}

// NewSigCache returns a cache holding at most max IDs.
func NewSigCache(max int) *SigCache {
	if max < 4 {
		max = 4
	}
	return &SigCache{max: max, ids: make(map[Hash]struct{}, max)}
}

// Add records that id's signature verified.
func (c *SigCache) Add(id Hash) {
	c.mu.Lock()
	if len(c.ids) >= c.max {
		n := c.max / 4
		for k := range c.ids { // map order is random: an arbitrary quarter
			delete(c.ids, k)
			if n--; n == 0 {
				break
			}
		}
	}
	c.ids[id] = struct{}{}
	c.mu.Unlock()
}

// Has reports whether id's signature is known to verify.
func (c *SigCache) Has(id Hash) bool {
	c.mu.RLock()
	_, ok := c.ids[id]
	c.mu.RUnlock()
	return ok
}

// Len returns the number of cached IDs.
func (c *SigCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.ids)
}
