// Package meter is Cairn's WebAssembly deploy checker and gas injector: a
// pure function of a module's bytes, with no engine behind it.
//
// Check applies the determinism rules of docs/contracts.md to a module that
// the engine has already validated (no floats, SIMD, threads, start
// function, imports outside the host ABI, ...). Instrument rewrites the
// module so that it counts its own gas and call depth in globals the host
// reads: the same input gives the same bytes out, and the same gas on every
// engine, because the count is in the bytecode.
//
// Instrument only appends entities (types, globals, helper functions,
// exports), so no index of the original module moves. An invalid module
// could name an index just past the end of a space and so alias an injected
// global or helper; Instrument refuses every index immediate out of range
// of the original module, but the deploy pipeline must still validate the
// original before instrumenting it.
//
// The gas schedule is ScheduleVersion; any change to a cost or to the
// emitted code bumps it, and it is part of every compiled-code cache key.
//
// Errors: every refusal is a *core.RuleError with a deploy code
// (core.CodeInvalidModule, core.CodeFloatNotAllowed, ...) and a message
// naming the function, opcode, import or export at fault.
package meter
