package vm

import (
	"errors"

	"github.com/cairn-chain/cairn/core"
)

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

// errInternal wraps a Host error that is not a rule of the state; it is
// raised as a panic in the host function and unwrapped by Run.
type internalError struct{ err error }

func (e *internalError) Error() string { return "vm: host: " + e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// fault is a failure raised by a host function: trap, aborted or
// out_of_gas. It is raised as a panic and mapped by Run.
type fault struct {
	code core.Code
	msg  string
}

func (f *fault) Error() string { return string(f.code) + ": " + f.msg }

var errOutOfGas = &fault{core.CodeOutOfGas, "out of gas in a host function"}

// asFault finds a fault or internal error raised by a host function.
func asFault(err error) (*fault, *internalError) {
	var f *fault
	if errors.As(err, &f) {
		return f, nil
	}
	var ie *internalError
	if errors.As(err, &ie) {
		return nil, ie
	}
	return nil, nil
}
