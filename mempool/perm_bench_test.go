package mempool

import (
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// BenchmarkAdmitPermissions measures what the permission check adds to
// the admission of coin transfers. Two pools take the same txs, one tx
// at a time, alternately first: the pool of an open chain (no
// permissions) and the pool of a chain whose genesis restricts submit
// (every sender a member, so each admission reads its membership record
// at the tip's state). Pairing each tx's two admissions exposes both
// pools alike to the load of a busy machine, and the median time of each
// pool's admissions ignores the ones a preemption or a GC pause hit.
// restricted/open is the ratio of the medians (target < 1.05). Signatures are verified as
// in BenchmarkAdmit; in the sub-benchmark preverified they are planted
// in the SigCache, so the ratio is that of the rest of admission alone.
func BenchmarkAdmitPermissions(b *testing.B) {
	b.Run("verified", func(b *testing.B) { benchAdmitPerm(b, false) })
	b.Run("preverified", func(b *testing.B) { benchAdmitPerm(b, true) })
}

func benchAdmitPerm(b *testing.B, preverified bool) {
	const perSender = 16
	n := max(b.N, perSender)
	txs, _ := benchCorpus(b, n, perSender, false)

	open := &core.Genesis{ChainID: testChain, MinFee: testMinFee, HalvingInterval: 1}
	restricted := *open
	restricted.Permissions = &core.Permissions{Admins: []core.Address{{0xad}}, Submit: core.RolePolicy{Restricted: true}}
	st := state.Memory{}
	for i := 0; i < n; i += perSender {
		a := txs[i].Sender()
		st.Apply([]state.Change{{Key: string(state.AccountKey(a)), New: core.Account{Balance: 1e12}.Encode()}})
		restricted.Permissions.Submit.Members = append(restricted.Permissions.Submit.Members, a)
	}
	st.Apply(state.GenesisChanges(&core.Genesis{Permissions: restricted.Permissions})) // the member records (no alloc)
	pools := [2]*Pool{}
	for i, g := range []*core.Genesis{open, &restricted} {
		cache := core.NewSigCache(2 * n)
		if preverified {
			for _, tx := range txs {
				cache.Add(tx.ID())
			}
		}
		pools[i] = newTestPool(b, st, func(c *Config) { c.Rules = state.Rules{Genesis: g}; c.SigCache = cache })
	}
	// An outsider is refused by the restricted pool: the check is live.
	out := newKey(7).tx(sink, 1, 1000, 0)
	st.Apply([]state.Change{{Key: string(state.AccountKey(out.Sender())), New: core.Account{Balance: 1e12}.Encode()}})
	if err := pools[1].Add(out); core.CodeOf(err) != core.CodeNotPermitted {
		b.Fatalf("an outsider's tx on the restricted chain: %v", err)
	}

	spent := [2][]time.Duration{make([]time.Duration, 0, n), make([]time.Duration, 0, n)}
	b.ResetTimer()
	for i, tx := range txs {
		for j := range 2 {
			p := (i + j) % 2
			start := time.Now()
			err := pools[p].Add(tx)
			spent[p] = append(spent[p], time.Since(start))
			if err != nil {
				b.Fatalf("pool %d: %v", p, err)
			}
		}
	}
	b.StopTimer()
	o, r := median(spent[0]), median(spent[1])
	b.ReportMetric(float64(o.Nanoseconds()), "open-ns/tx")
	b.ReportMetric(float64(r.Nanoseconds()), "restricted-ns/tx")
	b.ReportMetric(r.Seconds()/o.Seconds(), "restricted/open")
}

func median(v []time.Duration) time.Duration {
	slices.Sort(v)
	return v[len(v)/2]
}
