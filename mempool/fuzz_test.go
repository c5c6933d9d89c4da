package mempool

import (
	"errors"
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// fuzzOpSize is the bytes one fuzz operation consumes.
const fuzzOpSize = 10

// FuzzAdd feeds the pool random txs (decoded from the input when it is a
// canonical tx, else built from its bytes as a program of operations:
// admissions, batches, mined blocks, reorgs, balance changes, failing
// state reads) and checks after every step that nothing panics, every
// error is a rule error (or the injected state failure), and the pool's
// invariants hold: Bytes() is the sum of pooled sizes and within MaxBytes,
// every checked sender's txs are covered by its balance and at or above its
// nonce, and Select's output applies in order.
func FuzzAdd(f *testing.F) {
	keys := []key{newKey(1), newKey(2), newKey(3), newKey(4)}
	// Seeds: the table tests' txs, and programs.
	a := keys[0]
	for _, tx := range []*core.Tx{
		a.tx(sink, 100, 1000, 5),
		a.tx(sink, 1, 999, 5),
		a.tx(keys[1].Addr, 1_000_000, 1000, 0),
		a.Sign(&core.Tx{Version: 1, ChainID: testChain, To: sink, Fee: 2000, Nonce: 0, Memo: []byte("doc hash")}),
		a.Sign(&core.Tx{Version: 2, ChainID: "other", To: sink, Amount: 1, Fee: 2000}),
	} {
		f.Add(tx.Encode())
	}
	f.Add([]byte{3})
	f.Add([]byte{
		9,
		0, 0, 1, 10, 0, 20, 0, 0, 0, 0, // add k0 -> k1, nonce 0
		0, 0, 1, 10, 0, 20, 1, 0, 0, 0, // add k0 nonce 1
		0, 1, 4, 1, 0, 90, 0, 1, 0, 0, // add k1 with a memo
		5, 200, 3, 0, 0, 0, 0, 0, 0, 0, // mine
		0, 0, 1, 10, 0, 50, 1, 0, 0, 0, // replace
		6, 0, 0, 0, 0, 0, 0, 0, 0, 0, // reorg
		4, 2, 0, 3, 0, 99, 0, 0, 0, 0, // batch
		7, 1, 0, 0, 0, 0, 0, 0, 0, 0, // balance change
		7, 0, 2, 0, 0, 0, 0, 0, 0, 0, // restart
	})
	f.Add([]byte{
		2,                              // room for 3 txs
		0, 0, 1, 10, 0, 20, 0, 0, 0, 0, // k0 nonce 0, fee 400
		0, 0, 1, 10, 0, 20, 1, 0, 0, 0, // k0 nonce 1
		0, 1, 4, 1, 0, 30, 0, 0, 0, 0, // k1 nonce 0, fee 600
		0, 2, 4, 1, 0, 90, 0, 0, 0, 0, // k2 evicts k0's nonce 1
		0, 3, 4, 1, 0, 10, 0, 0, 0, 0, // k3 too cheap
		0, 0, 2, 9, 0, 25, 3, 0, 0, 0, // k0 gapped, needs eviction
		7, 0, 1, 0, 0, 0, 0, 0, 0, 0, // k0's state fails
		0, 0, 1, 10, 0, 99, 1, 0, 0, 0, // k0 add fails
		7, 0, 1, 0, 0, 0, 0, 0, 0, 0, // k0's state back
		5, 255, 7, 2, 0, 0, 0, 0, 0, 0, // mine
		7, 2, 0, 1, 0, 0, 0, 0, 0, 0, // k2's balance cut
		6, 0, 0, 0, 0, 0, 0, 0, 0, 0, // undo the cut
		6, 0, 0, 0, 0, 0, 0, 0, 0, 0, // undo the block
		7, 0, 2, 0, 0, 0, 0, 0, 0, 0, // restart
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		st := newFakeState()
		for i, k := range keys {
			st.set(k.Addr, uint64(i+1)*1_000_000, 0)
		}
		store := newMemStore()
		newPool := func(maxBytes int) *Pool {
			return newTestPool(t, st, func(c *Config) {
				c.MinFee = 100
				c.MaxBytes = maxBytes
				c.MaxPerSender = 4
				c.MaxNonceAhead = 6
				c.Persist = store
			})
		}
		var p *Pool
		check := func(errs ...error) {
			t.Helper()
			for _, err := range errs {
				if err != nil && !core.IsRuleError(err) && err.Error() != "mempool: read account "+
					errAddr(err)+": "+errDisk.Error() {
					t.Fatalf("unexpected internal error: %v", err)
				}
			}
			checkInvariants(t, p, st)
			all, sum := p.Txs(0), 0
			for _, tx := range all {
				sum += tx.Size()
			}
			if sum != p.Bytes() || len(all) != p.Count() {
				t.Fatalf("Bytes() %d, Count() %d; pooled txs: %d bytes, %d txs", p.Bytes(), p.Count(), sum, len(all))
			}
			if err := p.Flush(); err != nil { // Update and AddBatchDeferred queue their writes
				t.Fatalf("flush: %v", err)
			}
			if got, want := store.ids(), sortedIDs(p); !slices.Equal(got, want) {
				t.Fatalf("store holds %d txs, pool %d", len(got), len(want))
			}
		}

		if tx, err := core.DecodeTx(data); err == nil {
			p = newPool(1 << 20)
			check(p.Add(tx))
			check(p.Add(tx))
			return
		}
		if len(data) == 0 {
			return
		}
		maxBytes := 160 * (1 + int(data[0]%32)) // 1 to 32 txs without memo
		data = data[1:]
		p = newPool(maxBytes)

		build := func(op []byte) *core.Tx {
			k := keys[int(op[1])%len(keys)]
			tx := &core.Tx{
				Version: core.TxVersion,
				ChainID: testChain,
				Amount:  uint64(op[3]) * 1000,
				Fee:     uint64(op[5]) * 20,
				Nonce:   st.get(k.Addr).Nonce + uint64(op[6]%9),
			}
			if to := int(op[2]) % (len(keys) + 1); to < len(keys) {
				tx.To = keys[to].Addr
			} else {
				tx.To = sink
			}
			if n := int(op[7] % 4); n > 0 {
				tx.Memo = make([]byte, n*40)
				tx.Memo[0] = op[4]
			}
			if op[8]&2 != 0 {
				tx.ChainID = "other"
			}
			if op[8]&4 != 0 {
				tx.Version = 2
			}
			k.Sign(tx)
			if op[8]&1 != 0 {
				tx.Signature[op[4]%64] ^= 1
			}
			return tx
		}
		var history []*core.Block
		var snapshots []*fakeState
		for len(data) >= fuzzOpSize {
			op := data[:fuzzOpSize]
			data = data[fuzzOpSize:]
			switch op[0] % 8 {
			case 0, 1, 2, 3:
				check(p.Add(build(op)))
			case 4:
				batch := []*core.Tx{build(op)}
				if len(data) >= fuzzOpSize {
					batch = append(batch, build(data[:fuzzOpSize]))
				}
				batch = append(batch, nil, batch[0])
				if op[1]%2 == 0 {
					check(p.AddBatch(batch)...)
				} else {
					check(p.AddBatchDeferred(batch)...)
				}
			case 5:
				snapshots = append(snapshots, st.clone())
				b := block(p.Select(int(op[1])*4, int(op[2]%8))...)
				b.Header.Miner = keys[int(op[3])%len(keys)].Addr
				if err := st.apply(b); err != nil {
					t.Fatalf("selected block does not apply: %v", err)
				}
				history = append(history, b)
				if op[1]%2 == 0 {
					p.Update(nil, []*core.Block{b})
				} else { // the IDs and senders as the chain hands them over
					k := Known{IDs: b.TxIDs()}
					for _, tx := range b.Txs {
						k.Senders = append(k.Senders, tx.Sender())
					}
					p.UpdateKnown(nil, []*core.Block{b}, nil, []Known{k})
				}
				check()
			case 6:
				if len(history) == 0 {
					continue
				}
				b := history[len(history)-1]
				history = history[:len(history)-1]
				st.mu.Lock()
				st.m = snapshots[len(snapshots)-1].m
				st.mu.Unlock()
				snapshots = snapshots[:len(snapshots)-1]
				p.Update([]*core.Block{b}, nil)
				check()
			case 7:
				k := keys[int(op[1])%len(keys)]
				if op[2]&2 != 0 { // restart: a new pool loads the store
					p = newPool(maxBytes)
					if _, err := p.Load(); err != nil {
						// A state read failed (injected): the node would
						// refuse to start; once the disk recovers a
						// restart must load everything.
						if !errors.Is(err, errDisk) {
							t.Fatalf("Load: %v", err)
						}
						st.mu.Lock()
						clear(st.fail)
						st.mu.Unlock()
						p = newPool(maxBytes)
						if _, err := p.Load(); err != nil {
							t.Fatalf("Load after recovery: %v", err)
						}
					}
					check()
					continue
				}
				if op[2]&1 != 0 {
					st.mu.Lock()
					if st.fail[k.Addr] == nil {
						st.fail[k.Addr] = errDisk
					} else {
						delete(st.fail, k.Addr)
					}
					st.mu.Unlock()
					p.Update(nil, nil)
					check()
					continue
				}
				// A balance changes only through a block: one mined by k
				// (with a reward, or a penalty to test drops).
				snapshots = append(snapshots, st.clone())
				st.set(k.Addr, uint64(op[3])*10_000, st.get(k.Addr).Nonce)
				b := &core.Block{Header: core.Header{Miner: k.Addr}}
				history = append(history, b)
				p.Update(nil, []*core.Block{b})
				check()
			}
		}
	})
}

// errAddr extracts the address from a "mempool: read account ADDR: ..." error.
func errAddr(err error) string {
	const prefix = "mempool: read account "
	s := err.Error()
	if len(s) <= len(prefix) {
		return ""
	}
	s = s[len(prefix):]
	for i := range len(s) {
		if s[i] == ':' {
			return s[:i]
		}
	}
	return ""
}
