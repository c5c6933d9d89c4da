// Package hostapi is the seam between the contract VM (package vm, on
// wazero) and the state executor: the Host a contract run sees of the
// chain, the Result it gives, and the host ABI's error numbers. It is
// pure (it imports only core), so the state-machine packages depend on
// it and not on the engine.
package hostapi

import "github.com/cairn-chain/cairn/core"

// Host is the contract's view of the chain, implemented by the state
// executor over a journaled view. The vm checks arguments and charges gas
// before calling it. An error that is not a *core.RuleError aborts the run
// as an internal failure: Run passes it up and the call was not executed.
//
// The slices the vm passes to StorageWrite, StorageDelete and Emit are the
// Host's to keep; StorageRead's key is a view of the contract's memory,
// valid only during the call. The vm only reads the slices the Host
// returns (Input, StorageRead's value). A Host is used by one Run at a
// time.
type Host interface {
	Input() []byte
	Caller() core.Address
	Self() core.Address
	Value() uint64
	BlockHeight() uint64
	BlockTime() uint64 // unix ms
	StorageRead(key []byte) (val []byte, ok bool, err error)
	StorageWrite(key, val []byte) error
	StorageDelete(key []byte) error
	Balance(a core.Address) (uint64, error)
	AssetBalance(id core.AssetID, a core.Address) (uint64, error)
	// Transfer moves coins from the contract (Self) to to. A *core.RuleError
	// of a rule class becomes the ABI error number (TransferErrno); any
	// other error aborts the run.
	Transfer(to core.Address, amount uint64) error
	// AssetTransfer moves units of asset id from the contract to to, with
	// the errors of Transfer.
	AssetTransfer(id core.AssetID, to core.Address, amount uint64) error
	Emit(topic, data []byte) error
}

// Error numbers returned by the host functions transfer and
// asset_transfer (docs/contracts.md). 0 is success.
const (
	ErrnoInsufficientFunds = 1
	ErrnoInvalidAmount     = 2
	ErrnoAssetNotFound     = 3
	ErrnoFrozen            = 4
	ErrnoNotPermitted      = 5
)

// TransferErrno maps an error of Host.Transfer or Host.AssetTransfer to
// the ABI error number: 0 for nil, 1-4 for insufficient_funds,
// invalid_amount, asset_not_found and frozen, 5 for any other code of a
// rule class (rejected or broken). ok is false for an error that is not a
// rule of the state (internal, not found, unavailable, or no code): the
// run must stop with it.
func TransferErrno(err error) (errno int32, ok bool) {
	if err == nil {
		return 0, true
	}
	code := core.CodeOf(err)
	switch code {
	case core.CodeInsufficientFunds:
		return ErrnoInsufficientFunds, true
	case core.CodeInvalidAmount:
		return ErrnoInvalidAmount, true
	case core.CodeAssetNotFound:
		return ErrnoAssetNotFound, true
	case core.CodeFrozen:
		return ErrnoFrozen, true
	}
	if code != "" {
		if c := code.Info().Class; c == core.ClassRejected || c == core.ClassBroken {
			return ErrnoNotPermitted, true
		}
	}
	return 0, false
}

// Result is the outcome of a run (vm.VM.Run).
type Result struct {
	GasUsed uint64
	Return  []byte
	// Err is nil on success; a *core.RuleError with CodeOutOfGas, CodeTrap,
	// CodeAborted (message = the contract's text) or CodeCallDepthExceeded
	// for a call that was executed and failed. Any other error (from the
	// Host, the context's watchdog, or a deploy-rule error of a module that
	// fails Check) means the call was not executed.
	Err error
}

// Executed reports whether the call ran (successfully or not), as opposed
// to an error that means it was not executed.
func (r Result) Executed() bool {
	switch core.CodeOf(r.Err) {
	case core.CodeOutOfGas, core.CodeTrap, core.CodeAborted, core.CodeCallDepthExceeded:
		return true
	}
	return r.Err == nil
}
