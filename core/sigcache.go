package core

import "sync"

// SigCache remembers the IDs of txs whose signatures verified, so a block
// whose txs were admitted to the mempool is not verified twice. A tx ID
// covers the signature, so a hit means this exact signature verified. It is
// bounded: when a shard is full, an arbitrary quarter of its entries is
// dropped. Safe for concurrent use; sharded by ID so that the verifying
// goroutines of a busy node do not queue on one lock.
type SigCache struct {
	shards []sigShard
}

type sigShard struct {
	mu  sync.RWMutex
	max int
	ids map[Hash]struct{}
	_   [32]byte // keep shards' locks on separate cache lines
}

// sigShards is the shard count of a cache large enough to split.
const sigShards = 64

// NewSigCache returns a cache holding at most max IDs.
func NewSigCache(max int) *SigCache {
	if max < 4 {
		max = 4
	}
	n := 1
	if max >= sigShards*16 {
		n = sigShards
	}
	c := &SigCache{shards: make([]sigShard, n)}
	for i := range c.shards {
		c.shards[i].max = max / n
		c.shards[i].ids = make(map[Hash]struct{}, max/n)
	}
	return c
}

// shard picks id's shard (IDs are SHA-256 outputs: any byte is uniform).
func (c *SigCache) shard(id Hash) *sigShard { return &c.shards[int(id[0])%len(c.shards)] }

// Add records that id's signature verified.
func (c *SigCache) Add(id Hash) {
	s := c.shard(id)
	s.mu.Lock()
	if len(s.ids) >= s.max {
		n := max(s.max/4, 1)
		for k := range s.ids { // map order is random: an arbitrary quarter
			delete(s.ids, k)
			if n--; n == 0 {
				break
			}
		}
	}
	s.ids[id] = struct{}{}
	s.mu.Unlock()
}

// Has reports whether id's signature is known to verify.
func (c *SigCache) Has(id Hash) bool {
	s := c.shard(id)
	s.mu.RLock()
	_, ok := s.ids[id]
	s.mu.RUnlock()
	return ok
}

// Len returns the number of cached IDs.
func (c *SigCache) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.ids)
		s.mu.RUnlock()
	}
	return n
}
