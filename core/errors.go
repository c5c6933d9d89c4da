package core

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable rule-violation code. The same strings
// are the `code` of the REST API's problem responses. A Code is itself an
// error so that errors.Is(err, CodeNonceGap) works on any wrapped RuleError.
type Code string

// Error implements error.
func (c Code) Error() string { return string(c) }

// Rule codes. Transaction and input codes first, then block codes.
const (
	CodeMalformed         Code = "malformed"          // undecodable or non-canonical input
	CodeTooLarge          Code = "too_large"          // over a size or count limit
	CodeBadSignature      Code = "bad_signature"      // signature does not verify
	CodeWrongChain        Code = "wrong_chain"        // chain_id differs from this chain's
	CodeBadVersion        Code = "bad_version"        // unknown tx or block version
	CodeInvalidAmount     Code = "invalid_amount"     // amount 0 without memo, above MaxMoney, or overflow
	CodeNonceTooLow       Code = "nonce_too_low"      // nonce already used
	CodeNonceGap          Code = "nonce_gap"          // nonce ahead of the account's next nonce
	CodeInsufficientFunds Code = "insufficient_funds" // balance below amount + fee
	CodeFeeTooLow         Code = "fee_too_low"        // fee below the minimum (or replacement bump)
	CodeDuplicate         Code = "duplicate"          // already known
	CodeMempoolFull       Code = "mempool_full"       // mempool at capacity and the tx pays too little
	CodeNotFound          Code = "not_found"          // unknown object

	CodeBadPoW          Code = "bad_pow"          // header hash above its target, or target above pow_limit
	CodeBadBits         Code = "bad_bits"         // bits differ from the difficulty algorithm's output
	CodeBadTxRoot       Code = "bad_tx_root"      // tx_root does not match the txs
	CodeBadTimestamp    Code = "bad_timestamp"    // timestamp at or below median-time-past
	CodeTimeTooNew      Code = "time_too_new"     // timestamp too far in the future (held, not banned)
	CodeBadHeight       Code = "bad_height"       // height is not parent + 1
	CodeDuplicateTx     Code = "duplicate_tx"     // the same tx ID twice in a block
	CodeUnknownParent   Code = "unknown_parent"   // parent block not known (orphan)
	CodeInvalidTx       Code = "invalid_tx"       // a tx of the block is invalid in its state
	CodeInvalidAncestor Code = "invalid_ancestor" // the block descends from an invalid block
	CodeBadGenesis      Code = "bad_genesis"      // genesis file invalid
	CodeBadBlock        Code = "bad_block"        // other block rule (e.g. wrong miner reward)

	CodeAssetNotFound  Code = "asset_not_found" // no asset with this id
	CodeNotMinter      Code = "not_minter"      // the sender is not the asset's minter
	CodeNotManager     Code = "not_manager"     // the sender is not the asset's manager
	CodeNotFreezer     Code = "not_freezer"     // the sender is not the asset's freezer
	CodeNotClawback    Code = "not_clawback"    // the sender is not the asset's clawback address
	CodeNotPermitted   Code = "not_permitted"   // the asset's flags (or the sender's permissions) do not allow it
	CodeFrozen         Code = "frozen"          // the holding is frozen
	CodeSupplyExceeded Code = "supply_exceeded" // the supply would pass max_supply
	CodeAssetExists    Code = "asset_exists"    // an asset with this id exists
	CodeNotUnique      Code = "not_unique"      // items need a unique collection
	CodeIsUnique       Code = "is_unique"       // a unique collection's units move as items
	CodeItemExists     Code = "item_exists"     // the item id is taken in its collection
	CodeItemNotFound   Code = "item_not_found"  // no such item in the collection
	CodeItemBurned     Code = "item_burned"     // the item was burned
	CodeNotOwner       Code = "not_owner"       // the sender does not own the item

	// Contract deploys: the module breaks a rule of docs/contracts.md.
	CodeInvalidModule     Code = "invalid_module"      // not a valid WebAssembly module
	CodeFloatNotAllowed   Code = "float_not_allowed"   // f32/f64 types or opcodes
	CodeSIMDNotAllowed    Code = "simd_not_allowed"    // v128 types or SIMD opcodes
	CodeThreadsNotAllowed Code = "threads_not_allowed" // atomics or shared memory
	CodeFeatureNotAllowed Code = "feature_not_allowed" // tail calls, exceptions, multiple memories, reference types beyond funcref
	CodeImportNotAllowed  Code = "import_not_allowed"  // an import outside the host ABI
	CodeStartNotAllowed   Code = "start_not_allowed"   // a start function
	CodeMemoryTooLarge    Code = "memory_too_large"    // memory minimum above the chain's cap
	CodeNoCallExport      Code = "no_call_export"      // no exported "call" function () -> ()
	CodeNoMemoryExport    Code = "no_memory_export"    // no exported "memory"
	CodeBadEntryPoint     Code = "bad_entry_point"     // "call" or "init" is not a function () -> ()
	CodeReservedName      Code = "reserved_name"       // an export named __cairn_*
	CodeTooManyLocals     Code = "too_many_locals"     // a function above the locals cap
	CodeCodeTooLarge      Code = "code_too_large"      // the module is above max_code_bytes
	CodeContractNotFound  Code = "contract_not_found"  // no contract at this address
	CodeBlockGasExceeded  Code = "block_gas_exceeded"  // the gas limit is above the block's gas limit
	CodeOutOfGas          Code = "out_of_gas"          // the call ran out of gas
	CodeTrap              Code = "trap"                // the contract trapped (unreachable, out-of-bounds access, ...)
	CodeAborted           Code = "aborted"             // the contract called abort
	CodeCallDepthExceeded Code = "call_depth_exceeded" // nested calls past the depth limit
)

// RuleError reports input that breaks a rule: a peer or client sent
// something invalid. Other errors (I/O) are internal failures.
type RuleError struct {
	Code Code
	Msg  string // names what is wrong, for people
	Err  error  // optional cause
}

// Error returns the human-readable message.
func (e *RuleError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap exposes both the code and the cause to errors.Is/As.
func (e *RuleError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

// Errorf builds a RuleError with a formatted message.
func Errorf(code Code, format string, args ...any) *RuleError {
	return &RuleError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap builds a RuleError with a message and a cause.
func Wrap(code Code, err error, format string, args ...any) *RuleError {
	return &RuleError{Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first RuleError in err's chain, or "" if
// err is not a rule violation (e.g. an I/O failure).
func CodeOf(err error) Code {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Code
	}
	return ""
}

// IsRuleError reports whether err is a rule violation rather than an
// internal failure.
func IsRuleError(err error) bool { return CodeOf(err) != "" }
