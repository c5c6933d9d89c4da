package vm

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/contracts"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/cairn-chain/cairn/vm/vmtest"
)

// TestInstrumentRoundTripExamples: real compiler output (the example
// contracts: AssemblyScript and C) behaves the same metered and not: the
// same scenario of calls, run on the original modules (the unmetered
// hook) and on the metered ones (both engines), gives the same returns,
// errors, storage, balances and events; only gas differs, and the metered
// module differs from the original only by what metering adds.
func TestInstrumentRoundTripExamples(t *testing.T) {
	be := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	alice, bob, arbiter := core.Address{0xa1}, core.Address{0xb0}, core.Address{0xc2}
	type step struct {
		entry  string
		caller core.Address
		value  uint64
		height uint64
		input  []byte
	}
	tag := append([]byte("shipped"), make([]byte, 9)...)
	scenarios := []struct {
		name  string
		code  []byte
		steps []step
	}{
		{"token (AssemblyScript)", contracts.Token, []step{
			{EntryInit, alice, 0, 1, be(1000)},
			{EntryCall, alice, 0, 2, cat([]byte{1}, bob[:], be(300))},
			{EntryCall, bob, 0, 3, cat([]byte{1}, alice[:], be(301))}, // overdraw: aborts
			{EntryCall, bob, 0, 3, cat([]byte{2}, bob[:])},
			{EntryCall, bob, 0, 3, []byte{3}},
			{EntryCall, bob, 0, 3, []byte{9}}, // unknown method
		}},
		{"escrow (C)", contracts.Escrow, []step{
			{EntryInit, alice, 0, 1, cat(bob[:], arbiter[:], be(100))},
			{EntryCall, alice, 500, 2, []byte{1}},
			{EntryCall, bob, 0, 3, []byte{2}},   // not the arbiter: aborts
			{EntryCall, alice, 0, 4, []byte{3}}, // before the deadline: aborts
			{EntryCall, arbiter, 0, 5, []byte{2}},
			{EntryCall, alice, 0, 6, []byte{4}},
		}},
		{"registry (AssemblyScript)", contracts.Registry, []step{
			{EntryCall, alice, 0, 1, cat([]byte{1}, []byte("LOT-1"))},
			{EntryCall, bob, 0, 2, cat([]byte{1}, []byte("LOT-1"))}, // exists: aborts
			{EntryCall, alice, 0, 3, cat([]byte{2}, bob[:], []byte("LOT-1"))},
			{EntryCall, bob, 0, 4, cat([]byte{3}, tag, make([]byte, 32), []byte("LOT-1"))},
			{EntryCall, alice, 0, 5, cat([]byte{2}, alice[:], []byte("LOT-1"))}, // not the owner
			{EntryCall, bob, 0, 6, cat([]byte{4}, make([]byte, 4), []byte("LOT-1"))},
		}},
	}
	vms := map[string]*VM{"original": newVM(t, Config{unmetered: true})}
	for _, e := range engines {
		vms[e.name] = newVM(t, e.cfg)
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			// The metered module only adds: every original export is there.
			metered, err := meter.Instrument(sc.code)
			if err != nil {
				t.Fatal(err)
			}
			if len(metered) <= len(sc.code) {
				t.Fatalf("metered module %d bytes, original %d", len(metered), len(sc.code))
			}
			traces := map[string]string{}
			for name, m := range vms {
				h := vmtest.New()
				h.Balances[h.SelfAddr] = 0
				var trace bytes.Buffer
				for i, s := range sc.steps {
					before := h.Clone()
					h.In, h.CallerAddr, h.Val, h.Height = s.input, s.caller, s.value, s.height
					if s.value > 0 {
						h.Balances[h.SelfAddr] += s.value
					}
					r := m.Run(context.Background(), sc.code, s.entry, 10_000_000, h)
					if !r.Executed() {
						t.Fatalf("%s step %d: not executed: %v", name, i, r.Err)
					}
					if r.Err != nil { // a failed call leaves nothing behind
						h = before
					}
					fmt.Fprintf(&trace, "step %d: err=%v return=%x\\n", i, core.CodeOf(r.Err), r.Return)
				}
				keys := slices.Sorted(maps.Keys(h.Storage))
				for _, k := range keys {
					fmt.Fprintf(&trace, "storage %x=%x\\n", k, h.Storage[k])
				}
				for _, e := range h.Events {
					fmt.Fprintf(&trace, "event %s %x\\n", e.Topic, e.Data)
				}
				fmt.Fprintf(&trace, "balances %v\\n", h.Balances)
				traces[name] = trace.String()
			}
			orig := traces["original"]
			if !strings.Contains(orig, "err=aborted") || !strings.Contains(orig, "err= ") || !strings.Contains(orig, "storage ") {
				t.Fatalf("the scenario does not exercise success, abort and storage:\n%s", orig)
			}
			for name, tr := range traces {
				if tr != traces["original"] {
					t.Errorf("%s differs from the original module:\\n%s\\noriginal:\\n%s", name, tr, traces["original"])
				}
			}
		})
	}
}
