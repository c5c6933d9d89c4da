package chain

import (
	"runtime"
	"sync"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// acctCache is a write-through cache of committed account state. The chain
// is the only writer of accounts, and it updates the cache only after a
// batch commits, so a cached value is always the committed one. Bounded:
// when full, an arbitrary half is dropped.
type acctCache struct {
	mu  sync.Mutex
	max int
	m   map[core.Address]core.Account
}

const defaultAcctCache = 1 << 20 // about 60 MiB at most

func newAcctCache(max int) *acctCache {
	return &acctCache{max: max, m: make(map[core.Address]core.Account)}
}

func (c *acctCache) get(a core.Address) (core.Account, bool) {
	c.mu.Lock()
	v, ok := c.m[a]
	c.mu.Unlock()
	return v, ok
}

func (c *acctCache) put(a core.Address, v core.Account) {
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
	c.m[a] = v
	c.mu.Unlock()
}

// apply records committed changes of accounts.
func (c *acctCache) apply(cs []state.Change) {
	for _, ch := range cs {
		if !ch.IsAccount() {
			continue
		}
		var a core.Address
		copy(a[:], ch.Key[1:])
		acct := core.Account{}
		if ch.New != nil {
			acct, _ = core.DecodeAccount(ch.New) // encoded by state: cannot fail
		}
		c.put(a, acct)
	}
}

// cachedState reads committed state through the caches.
type cachedState struct {
	cache *acctCache
	recs  *recCache
	db    *store.DB
}

func (s cachedState) Account(a core.Address) (core.Account, error) {
	if v, ok := s.cache.get(a); ok {
		return v, nil
	}
	v, err := s.db.Account(a)
	if err != nil {
		return v, err
	}
	s.cache.put(a, v)
	return v, nil
}

// recCache is a write-through cache of committed state records other
// than accounts (assets, holdings, items), absent ones included: like
// acctCache, updated only after a batch commits. Bounded the same way.
type recCache struct {
	mu  sync.Mutex
	max int
	m   map[string][]byte // nil: known absent
}

func newRecCache(max int) *recCache { return &recCache{max: max, m: make(map[string][]byte)} }

func (c *recCache) get(key []byte) ([]byte, bool) {
	c.mu.Lock()
	v, ok := c.m[string(key)]
	c.mu.Unlock()
	return v, ok
}

func (c *recCache) put(key string, v []byte) {
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
	c.m[key] = v
	c.mu.Unlock()
}

// apply records committed changes of records other than accounts.
func (c *recCache) apply(cs []state.Change) {
	for _, ch := range cs {
		if !ch.IsAccount() {
			c.put(ch.Key, ch.New)
		}
	}
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
	if v, ok := s.recs.get(key); ok {
		return v, nil
	}
	v, err := s.db.Get(key)
	if err != nil {
		return nil, err
	}
	s.recs.put(string(key), v)
	return v, nil
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
