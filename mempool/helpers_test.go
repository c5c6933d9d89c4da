package mempool

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/state"
)

const (
	testChain  = "cairn-test"
	testMinFee = 1000
)

// fakeState is a map-backed StateReader.
type fakeState struct {
	mu   sync.RWMutex
	m    map[core.Address]core.Account
	fail map[core.Address]error
}

func newFakeState() *fakeState {
	return &fakeState{m: make(map[core.Address]core.Account), fail: make(map[core.Address]error)}
}

func (f *fakeState) Account(a core.Address) (core.Account, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if err := f.fail[a]; err != nil {
		return core.Account{}, err
	}
	return f.m[a], nil
}

// Get serves account records only: the pool's tests move coins.
func (f *fakeState) Get(key []byte) ([]byte, error) {
	if len(key) != 1+core.AddressSize || key[0] != state.PrefixAccount {
		return nil, nil
	}
	var a core.Address
	copy(a[:], key[1:])
	acct, err := f.Account(a)
	if err != nil || acct.IsZero() {
		return nil, err
	}
	return acct.Encode(), nil
}

func (f *fakeState) set(a core.Address, balance, nonce uint64) {
	f.mu.Lock()
	f.m[a] = core.Account{Balance: balance, Nonce: nonce}
	f.mu.Unlock()
}

func (f *fakeState) get(a core.Address) core.Account {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.m[a]
}

// apply applies a block's txs to the state the way the chain would
// (without the miner's reward), failing on an invalid tx.
func (f *fakeState) apply(b *core.Block) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tx := range b.Txs {
		from := f.m[tx.Sender()]
		if tx.Nonce != from.Nonce {
			return fmt.Errorf("tx nonce %d, account nonce %d", tx.Nonce, from.Nonce)
		}
		if from.Balance < tx.Amount+tx.Fee {
			return fmt.Errorf("balance %d below %d", from.Balance, tx.Amount+tx.Fee)
		}
		from.Balance -= tx.Amount + tx.Fee
		from.Nonce++
		f.m[tx.Sender()] = from
		to := f.m[tx.To]
		to.Balance += tx.Amount
		f.m[tx.To] = to
		miner := f.m[b.Header.Miner]
		miner.Balance += tx.Fee
		f.m[b.Header.Miner] = miner
	}
	return nil
}

// clone copies the state's accounts.
func (f *fakeState) clone() *fakeState {
	f.mu.RLock()
	defer f.mu.RUnlock()
	c := newFakeState()
	for a, acct := range f.m {
		c.m[a] = acct
	}
	return c
}

// memStore is an in-memory Persister with failure injection.
type memStore struct {
	mu                   sync.Mutex
	m                    map[core.Hash][]byte
	saveCalls            int
	failSave, failDelete error
}

func newMemStore() *memStore { return &memStore{m: make(map[core.Hash][]byte)} }

func (s *memStore) SaveTxs(txs []*core.Tx) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saveCalls++
	if s.failSave != nil {
		return s.failSave
	}
	for _, tx := range txs {
		s.m[tx.ID()] = tx.Encode()
	}
	return nil
}

func (s *memStore) DeleteTxs(ids []core.Hash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failDelete != nil {
		return s.failDelete
	}
	for _, id := range ids {
		delete(s.m, id)
	}
	return nil
}

func (s *memStore) LoadTxs(fn func(raw []byte) error) error {
	s.mu.Lock()
	ids := make([]core.Hash, 0, len(s.m))
	for id := range s.m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b core.Hash) int { return bytes.Compare(a[:], b[:]) })
	raws := make([][]byte, len(ids))
	for i, id := range ids {
		raws[i] = s.m[id]
	}
	s.mu.Unlock()
	for _, raw := range raws {
		if err := fn(raw); err != nil {
			return err
		}
	}
	return nil
}

func (s *memStore) ids() []core.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.Hash, 0, len(s.m))
	for id := range s.m {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b core.Hash) int { return bytes.Compare(a[:], b[:]) })
	return out
}

// key is a test key whose transfers are on testChain.
type key struct{ testkit.Key }

// newKey returns a key of the seed "mempool test key <seed>" (zero-padded).
func newKey(seed int) key {
	var s [ed25519.SeedSize]byte
	copy(s[:], fmt.Sprintf("mempool test key %d", seed))
	return key{testkit.KeyFromSeed(s[:])}
}

// tx returns a signed transfer.
func (k key) tx(to core.Address, amount, fee, nonce uint64) *core.Tx {
	return k.Transfer(testChain, to, amount, fee, nonce)
}

var sink = core.Address{0xee} // a recipient nobody signs for

func newTestPool(t testing.TB, st StateReader, mut func(*Config)) *Pool {
	t.Helper()
	cfg := Config{ChainID: testChain, MinFee: testMinFee, State: st}
	if mut != nil {
		mut(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func mustAdd(t testing.TB, p *Pool, txs ...*core.Tx) {
	t.Helper()
	for _, tx := range txs {
		if err := p.Add(tx); err != nil {
			t.Fatalf("Add(nonce %d, fee %d): %v", tx.Nonce, tx.Fee, err)
		}
	}
}

func ids(txs []*core.Tx) []core.Hash {
	out := make([]core.Hash, len(txs))
	for i, tx := range txs {
		out[i] = tx.ID()
	}
	return out
}

// checkInvariants checks the pool's internal consistency and, against st,
// that every checked queue is valid and Select's output applies in order.
func checkInvariants(t testing.TB, p *Pool, st *fakeState) {
	t.Helper()
	if err := p.invariants(st); err != nil {
		t.Fatal(err)
	}
}

func (p *Pool) invariants(st *fakeState) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	bytes, count := 0, 0
	in := make(map[core.Address]u128)
	for a, s := range p.senders {
		if s.addr != a || len(s.txs) == 0 {
			return fmt.Errorf("sender %x: addr %x, %d txs", a[:4], s.addr[:4], len(s.txs))
		}
		var cost uint64
		for i, e := range s.txs {
			if p.byID[e.id] != e || e.sender != a || e.id != e.tx.ID() || e.size != e.tx.Size() {
				return fmt.Errorf("sender %x tx %d: inconsistent entry", a[:4], i)
			}
			if i > 0 && s.txs[i-1].tx.Nonce >= e.tx.Nonce {
				return fmt.Errorf("sender %x: nonces %d then %d", a[:4], s.txs[i-1].tx.Nonce, e.tx.Nonce)
			}
			cost += e.cost
			bytes += e.size
			count++
			in[e.tx.To] = in[e.tx.To].add(e.tx.Amount)
		}
		if cost != s.cost {
			return fmt.Errorf("sender %x: cost %d, sum %d", a[:4], s.cost, cost)
		}
		if !s.stale && st != nil {
			acct := st.get(a)
			if s.acct != acct {
				return fmt.Errorf("sender %x: checked against %+v, state has %+v", a[:4], s.acct, acct)
			}
			if s.txs[0].tx.Nonce < acct.Nonce {
				return fmt.Errorf("sender %x: nonce %d below account nonce %d", a[:4], s.txs[0].tx.Nonce, acct.Nonce)
			}
			if cost > acct.Balance {
				return fmt.Errorf("sender %x: pending cost %d above balance %d", a[:4], cost, acct.Balance)
			}
		}
		if (s.readyIdx >= 0) != s.isReady() || s.readyIdx >= 0 && p.ready[s.readyIdx] != s {
			return fmt.Errorf("sender %x: ready index %d, ready %v", a[:4], s.readyIdx, s.isReady())
		}
		if s.tailIdx < 0 || p.tails[s.tailIdx] != s {
			return fmt.Errorf("sender %x: tail index %d", a[:4], s.tailIdx)
		}
	}
	if count != len(p.byID) || bytes != p.bytes {
		return fmt.Errorf("count %d / %d, bytes %d / %d", count, len(p.byID), bytes, p.bytes)
	}
	if p.bytes > p.cfg.MaxBytes {
		return fmt.Errorf("bytes %d above MaxBytes %d", p.bytes, p.cfg.MaxBytes)
	}
	if len(p.tails) != len(p.senders) {
		return fmt.Errorf("%d tails, %d senders", len(p.tails), len(p.senders))
	}
	for i := 1; i < len(p.ready); i++ {
		if p.ready.Less(i, (i-1)/2) {
			return fmt.Errorf("ready heap property broken at %d", i)
		}
	}
	for i := 1; i < len(p.tails); i++ {
		if p.tails.Less(i, (i-1)/2) {
			return fmt.Errorf("tails heap property broken at %d", i)
		}
	}
	if len(in) != len(p.incoming) {
		return fmt.Errorf("%d recipients, %d tracked", len(in), len(p.incoming))
	}
	for a, sum := range in {
		if r := p.incoming[a]; r == nil || r.sum != sum {
			return fmt.Errorf("recipient %x: receipts wrong", a[:4])
		}
	}
	if st != nil {
		sel := p.selectLocked(1<<62, 1<<62)
		trial := st.clone()
		blk := &core.Block{}
		for _, e := range sel {
			blk.Txs = append(blk.Txs, e.tx)
		}
		if err := trial.apply(blk); err != nil {
			return fmt.Errorf("selected txs do not apply in order: %w", err)
		}
	}
	return nil
}

var errDisk = errors.New("disk on fire")

var (
	_ StateReader = (*fakeState)(nil)
	_ Persister   = (*memStore)(nil)
)
