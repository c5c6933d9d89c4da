package meter

import (
	"slices"
	"strconv"
)

// ScheduleVersion identifies the gas schedule and the emitted code. It is
// part of every compiled-code cache key: bump it on any change to a cost or
// to the code Instrument emits, so that no node runs code instrumented
// under an older schedule (the CosmWasm CWA-2024-004 lesson).
const ScheduleVersion = 1

// Names of the exports Instrument adds. Every export name starting with
// ReservedPrefix belongs to the metering; Check refuses modules that use it.
const (
	ReservedPrefix = "__cairn_"
	// GasExport is a mutable i64 global: the gas left. The host sets it
	// before a call and reads it after; -1 after a trap means out of gas.
	GasExport = "__cairn_gas"
	// DepthExport is a mutable i32 global: the current call depth. The host
	// sets it to 0 before a call; MaxCallDepth+1 after a trap means the
	// call depth was exceeded.
	DepthExport = "__cairn_depth"
)

// Limits fixed by the protocol (docs/contracts.md, "Limits").
const (
	// MaxCallDepth is the deepest nesting of calls a contract may reach.
	MaxCallDepth = 1024
	// MaxLocals caps the locals of a function, its parameters included.
	MaxLocals = 1024
	// MaxTableElements caps a table's declared minimum: an engine
	// allocates the whole table for every instance, and a contract's
	// table never grows (table.grow is refused).
	MaxTableElements = 10_000
)

// GlobalExport is the name under which Instrument exports the original
// module's mutable global i, so the host can reset it after each call on a
// pooled instance.
func GlobalExport(i uint32) string {
	return ReservedPrefix + "g" + strconv.FormatUint(uint64(i), 10)
}

// ValType is a WebAssembly value type, by its binary encoding.
type ValType byte

// Value types.
const (
	I32       ValType = 0x7f
	I64       ValType = 0x7e
	F32       ValType = 0x7d
	F64       ValType = 0x7c
	V128      ValType = 0x7b
	FuncRef   ValType = 0x70
	ExternRef ValType = 0x6f
)

// String names the type as in the text format.
func (t ValType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	case V128:
		return "v128"
	case FuncRef:
		return "funcref"
	case ExternRef:
		return "externref"
	}
	return "0x" + strconv.FormatUint(uint64(t), 16)
}

// FuncType is a function signature.
type FuncType struct{ Params, Results []ValType }

// String writes the signature as "(i32, i32) -> (i64)".
func (f FuncType) String() string {
	return list(f.Params) + " -> " + list(f.Results)
}

func list(ts []ValType) string {
	s := "("
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += t.String()
	}
	return s + ")"
}

func (f FuncType) equal(g FuncType) bool {
	return slices.Equal(f.Params, g.Params) && slices.Equal(f.Results, g.Results)
}

// Rules are a chain's deploy limits (from its genesis) and host ABI.
type Rules struct {
	// MaxMemoryPages caps the declared minimum of the module's memory.
	MaxMemoryPages uint32
	// MaxCodeBytes caps the module's size; 0 or less refuses every module.
	MaxCodeBytes int
	// Imports are the functions of module "env" a contract may import, by
	// name, with their exact signatures.
	Imports map[string]FuncType
}

// Info describes a module that passed Check.
type Info struct {
	HasInit        bool     // exports init: () -> ()
	Functions      int      // functions defined by the module (imports excluded)
	ImportedFuncs  int      // functions imported from env
	MemoryPages    uint32   // the memory's declared minimum, in 64 KiB pages
	MutableGlobals []uint32 // indices of the mutable globals, exported by Instrument as GlobalExport(i)
}
