package state

import (
	"context"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/hostapi"
)

// VM runs contract code: package vm's *VM (on wazero), which the node
// wires in. An interface, so the state machine does not depend on the
// engine.
type VM interface {
	// Check runs the deploy pipeline on code without executing it.
	Check(code []byte) error
	// Run executes entry ("init" or "call") of code with gasLimit.
	Run(ctx context.Context, code []byte, entry string, gasLimit uint64, h hostapi.Host) hostapi.Result
}

// Rules are what the executor needs beyond the state and the block: the
// chain's genesis and the contract VM (nil: contract txs are refused, as
// by a node that cannot run them).
type Rules struct {
	Genesis *core.Genesis
	VM      VM
}

// env is a view's block context, shared by nested views.
type env struct {
	Rules
	contracts core.ContractParams
	height    uint64 // of the block the txs go into
	time      uint64 // its timestamp, unix ms
	// pending: mempool admission. A deploy's code is checked but its init
	// not run, and a call is charged its most without running: their
	// outcome depends on txs of other senders, so only a block fixes it.
	pending bool
	// parent is the state the block's (or the mempool's) txs start from:
	// permissions are read there, not in the view (state/perm.go).
	parent Reader
}

func newEnv(r Rules, parent Reader, height, time uint64, pending bool) *env {
	e := &env{Rules: r, parent: parent, height: height, time: time, pending: pending}
	if r.Genesis != nil {
		e.contracts = r.Genesis.Contracts()
	}
	return e
}

// NewPendingView returns a view for mempool admission over base, the
// tip's state, for txs going into the block at height: contract txs are
// checked, not run (see env.pending).
func NewPendingView(base Reader, r Rules, height uint64) *View {
	v := NewView(base)
	v.env = newEnv(r, base, height, 0, true)
	v.Height = height
	return v
}
