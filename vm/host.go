package vm

import (
	"errors"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/hostapi"
)

// The seam types live in package hostapi (pure, for the state machine);
// vm keeps their names.
type (
	// Host is hostapi.Host: the contract's view of the chain.
	Host = hostapi.Host
	// Result is hostapi.Result: the outcome of Run.
	Result = hostapi.Result
)

// Error numbers of the host functions transfer and asset_transfer
// (hostapi's).
const (
	ErrnoInsufficientFunds = hostapi.ErrnoInsufficientFunds
	ErrnoInvalidAmount     = hostapi.ErrnoInvalidAmount
	ErrnoAssetNotFound     = hostapi.ErrnoAssetNotFound
	ErrnoFrozen            = hostapi.ErrnoFrozen
	ErrnoNotPermitted      = hostapi.ErrnoNotPermitted
)

// TransferErrno is hostapi.TransferErrno.
func TransferErrno(err error) (errno int32, ok bool) { return hostapi.TransferErrno(err) }

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
