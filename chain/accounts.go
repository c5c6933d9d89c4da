package chain

import (
	"runtime"
	"sync"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// cache is a bounded write-through cache of committed state. The chain is
// the only writer of state, and it updates its caches only after a batch
// commits, so a cached value is always the committed one. When full, an
// arbitrary half is dropped.
type cache[K comparable, V any] struct {
	mu  sync.Mutex
	max int
	m   map[K]V
}

const defaultAcctCache = 1 << 20 // about 60 MiB of accounts at most

func newCache[K comparable, V any](max int) *cache[K, V] {
	return &cache[K, V]{max: max, m: make(map[K]V)}
}

func (c *cache[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	return v, ok
}

func (c *cache[K, V]) put(k K, v V) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		n := len(c.m) / 2
		for k := range c.m {
			delete(c.m, k)
			if n--; n == 0 {
				break
			}
		}
	}
	c.m[k] = v
	c.mu.Unlock()
}

// acctCache caches accounts (on every tx's path: typed, no encoding).
type acctCache = cache[core.Address, core.Account]

// recCache caches the other records (assets, holdings, items), absent
// ones included (a nil value).
type recCache = cache[string, []byte]

// applyChanges records committed changes in the caches and the holder
// counts. Must be called with c.mu held for writing.
func (c *Chain) applyChanges(cs []state.Change) {
	accts, recs := c.accounts, c.records
	for _, ch := range cs {
		if !ch.IsAccount() {
			recs.put(ch.Key, ch.New)
			c.holders.apply(ch)
			continue
		}
		var a core.Address
		copy(a[:], ch.Key[1:])
		acct := core.Account{}
		if ch.New != nil {
			acct, _ = core.DecodeAccount(ch.New) // encoded by state: cannot fail
		}
		accts.put(a, acct)
	}
}

// cachedState reads committed state through the caches. Only readers
// holding the chain's lock (connect, the template) fill the caches: a
// reader without it could read a value from the store just before a block
// commits and put it into the cache just after that block's update,
// leaving a stale value that validation would then trust.
type cachedState struct {
	cache *acctCache
	recs  *recCache
	db    *store.DB
	fill  bool
}

func (s cachedState) Account(a core.Address) (core.Account, error) {
	if v, ok := s.cache.get(a); ok {
		return v, nil
	}
	v, err := s.db.Account(a)
	if err == nil && s.fill {
		s.cache.put(a, v)
	}
	return v, err
}

// Get reads any state record (accounts included).
func (s cachedState) Get(key []byte) ([]byte, error) {
	if len(key) == 1+core.AddressSize && key[0] == state.PrefixAccount {
		var a core.Address
		copy(a[:], key[1:])
		acct, err := s.Account(a)
		if err != nil || acct.IsZero() {
			return nil, err
		}
		return acct.Encode(), nil
	}
	if v, ok := s.recs.get(string(key)); ok {
		return v, nil
	}
	v, err := s.db.Get(key)
	if err == nil && s.fill {
		s.recs.put(string(key), v)
	}
	return v, err
}

// prefetch reads the accounts a block touches that are not cached, spread
// over the cores, so applying the block then reads only from memory.
func (s cachedState) prefetch(blk *core.Block, senders []core.Address) error {
	var todo []core.Address
	seen := make(map[core.Address]struct{}, 2*len(blk.Txs)+1)
	add := func(a core.Address) {
		if _, ok := seen[a]; ok {
			return
		}
		seen[a] = struct{}{}
		if _, ok := s.cache.get(a); !ok {
			todo = append(todo, a)
		}
	}
	add(blk.Header.Miner)
	for i, tx := range blk.Txs {
		add(senders[i])
		add(tx.To)
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo)/32)
	if workers <= 1 {
		for _, a := range todo {
			if _, err := s.Account(a); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo); i += workers {
				if _, err := s.Account(todo[i]); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// holderCounts counts the non-zero holdings of the assets asked about
// since start: counted once from the store (under the chain's read lock),
// then kept by every connect and disconnect. Kept in memory rather than in
// the state or an index, so a transfer to a new holder writes nothing for
// the count.
type holderCounts struct {
	mu sync.Mutex
	m  map[core.AssetID]uint64
}

func holdingID(key string) (core.AssetID, bool) {
	if len(key) != 1+core.AssetIDSize+core.AddressSize || key[0] != state.PrefixHolding {
		return core.AssetID{}, false
	}
	return core.AssetID([]byte(key[1 : 1+core.AssetIDSize])), true
}

// nonZero reports whether a holding value has a balance.
func nonZero(v []byte) bool {
	h, err := state.DecodeHolding(v)
	return v != nil && err == nil && h.Balance > 0
}

// apply adjusts the count of a committed holding change's asset, if known.
func (hc *holderCounts) apply(ch state.Change) {
	id, ok := holdingID(ch.Key)
	if !ok {
		return
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	n, known := hc.m[id]
	if !known {
		return
	}
	switch was, is := nonZero(ch.Old), nonZero(ch.New); {
	case !was && is:
		hc.m[id] = n + 1
	case was && !is:
		hc.m[id] = n - 1
	}
}

// holderCount returns how many accounts hold a non-zero balance of id.
func (c *Chain) holderCount(id core.AssetID) (uint64, error) {
	c.holders.mu.Lock()
	n, ok := c.holders.m[id]
	c.holders.mu.Unlock()
	if ok {
		return n, nil
	}
	c.mu.RLock() // no block commits while the store is counted
	defer c.mu.RUnlock()
	n = 0
	err := c.cfg.DB.StateIterate(state.HoldingPrefix(id), nil, func(_, v []byte) bool {
		if nonZero(v) {
			n++
		}
		return true
	})
	if err != nil {
		return 0, err
	}
	c.holders.mu.Lock()
	c.holders.m[id] = n
	c.holders.mu.Unlock()
	return n, nil
}
