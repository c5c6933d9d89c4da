package meter

import (
	"strings"

	"github.com/cairn-chain/cairn/core"
)

// Check applies the contract rules of docs/contracts.md to a module and
// describes it. It refuses a module above r.MaxCodeBytes before decoding
// any of it. When a module breaks several rules, the first found in
// section order is reported.
//
// Check checks the structure and every index but not the types of code,
// so the engine must also validate the module. Check is safe on any bytes
// and cheap (its allocations are bounded by the module's size), so run it
// BEFORE the engine sees them: wazero v1.12.0 panics on some malformed
// modules and allocates by forged counts (a 20-byte module declaring 2^32
// parameters makes it run out of memory, a fatal error no recover stops);
// Check refuses both (TestEngineCrashModules).
func Check(code []byte, r Rules) (*Info, error) {
	if len(code) > r.MaxCodeBytes {
		return nil, core.Errorf(core.CodeCodeTooLarge, "module of %d bytes is above the limit of %d", len(code), r.MaxCodeBytes)
	}
	m, err := parse(code)
	if err != nil {
		return nil, err
	}
	for i, ft := range m.types {
		for _, ts := range [][]ValType{ft.Params, ft.Results} {
			for _, t := range ts {
				if err := valueRule(t, "type %d (%s)", i, ft); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := checkImports(m, r); err != nil {
		return nil, err
	}
	if err := checkTablesAndMemory(m, r); err != nil {
		return nil, err
	}
	info := &Info{
		Functions:     len(m.bodies),
		ImportedFuncs: m.numImpFns,
		MemoryPages:   m.mems[0].min,
	}
	for i, g := range m.globals {
		if err := valueRule(g.t, "global %d", i); err != nil {
			return nil, err
		}
		if g.mutable {
			info.MutableGlobals = append(info.MutableGlobals, uint32(i))
		}
	}
	if t := m.constType; t != 0 {
		return nil, valueRule(t, "a constant expression or element segment")
	}
	for _, e := range m.exports {
		if strings.HasPrefix(e.name, ReservedPrefix) {
			return nil, core.Errorf(core.CodeReservedName, "export %q: names starting with %s are reserved for the metering", e.name, ReservedPrefix)
		}
	}
	if m.hasStart {
		return nil, core.Errorf(core.CodeStartNotAllowed, "the module has a start function; export init instead")
	}
	for i, b := range m.bodies {
		if err := checkBody(m, m.numImpFns+i, b); err != nil {
			return nil, err
		}
	}
	if info.HasInit, err = checkEntryPoints(m); err != nil {
		return nil, err
	}
	return info, nil
}

// valueRule refuses the value types a contract may not use.
func valueRule(t ValType, where string, args ...any) error {
	switch t {
	case F32, F64:
		return core.Errorf(core.CodeFloatNotAllowed, where+": float type %s", append(args, t)...)
	case V128:
		return core.Errorf(core.CodeSIMDNotAllowed, where+": SIMD type v128", args...)
	case ExternRef:
		return core.Errorf(core.CodeFeatureNotAllowed, where+": reference type externref", args...)
	}
	return nil
}

func checkImports(m *module, r Rules) error {
	for _, im := range m.imports {
		if im.kind != kindFunc {
			return core.Errorf(core.CodeImportNotAllowed, "import %s.%s: a contract imports only functions, not a %s", im.module, im.name, kindNames[im.kind])
		}
		if im.module != "env" {
			return core.Errorf(core.CodeImportNotAllowed, "import %s.%s: a contract imports only from module env", im.module, im.name)
		}
		want, ok := r.Imports[im.name]
		if !ok {
			return core.Errorf(core.CodeImportNotAllowed, "import env.%s: not a host function", im.name)
		}
		if got := m.types[im.typeIdx]; !got.equal(want) {
			return core.Errorf(core.CodeImportNotAllowed, "import env.%s: signature %s, the host's is %s", im.name, got, want)
		}
	}
	return nil
}

func checkTablesAndMemory(m *module, r Rules) error {
	for i, t := range m.tables {
		if err := valueRule(t.elem, "table %d", i); err != nil {
			return err
		}
	}
	if len(m.tables) > 1 {
		return core.Errorf(core.CodeFeatureNotAllowed, "%d tables: a contract has at most one", len(m.tables))
	}
	if len(m.tables) == 1 && m.tables[0].lim.min > MaxTableElements {
		// No code of its own: the table is memory every instance allocates.
		return core.Errorf(core.CodeMemoryTooLarge, "table of %d elements is above the limit of %d", m.tables[0].lim.min, MaxTableElements)
	}
	switch {
	case len(m.mems) == 0:
		return core.Errorf(core.CodeNoMemoryExport, "the module has no memory")
	case len(m.mems) > 1:
		return core.Errorf(core.CodeFeatureNotAllowed, "%d memories: a contract has exactly one", len(m.mems))
	case m.mems[0].shared:
		return core.Errorf(core.CodeThreadsNotAllowed, "shared memory")
	case m.mems[0].min > r.MaxMemoryPages:
		return core.Errorf(core.CodeMemoryTooLarge, "memory minimum of %d pages is above the limit of %d", m.mems[0].min, r.MaxMemoryPages)
	}
	return nil
}

func checkEntryPoints(m *module) (hasInit bool, err error) {
	if e, ok := m.export("memory"); !ok || e.kind != kindMemory {
		return false, core.Errorf(core.CodeNoMemoryExport, `the module does not export its memory as "memory"`)
	}
	e, ok := m.export("call")
	if !ok {
		return false, core.Errorf(core.CodeNoCallExport, `the module exports no function "call"`)
	}
	if err := entryPoint(m, e); err != nil {
		return false, err
	}
	if e, ok = m.export("init"); ok {
		if err := entryPoint(m, e); err != nil {
			return false, err
		}
	}
	return ok, nil
}

func entryPoint(m *module, e exportEntry) error {
	if e.kind != kindFunc {
		return core.Errorf(core.CodeBadEntryPoint, "export %q is a %s, not a function () -> ()", e.name, kindNames[e.kind])
	}
	if ft := m.funcType(e.idx); len(ft.Params)+len(ft.Results) != 0 {
		return core.Errorf(core.CodeBadEntryPoint, "export %q is a function %s, not () -> ()", e.name, ft)
	}
	return nil
}

// checkBody applies the rules to function fn's locals and instructions.
func checkBody(m *module, fn int, b body) error {
	d, err := newDecoder(m, fn, b, true)
	if err != nil {
		return err
	}
	if d.locals > MaxLocals {
		return core.Errorf(core.CodeTooManyLocals, "function %d has %d locals (parameters included), above %d", fn, d.locals, MaxLocals)
	}
	for _, t := range d.ltypes {
		if err := valueRule(t, "function %d: a local", fn); err != nil {
			return err
		}
	}
	for !d.done() {
		in, err := d.next()
		if err != nil {
			return err
		}
		if what := forbidden(&in); what != "" {
			code := core.CodeFeatureNotAllowed
			if isFloatOp(&in) {
				code = core.CodeFloatNotAllowed
			}
			return d.refuse(code, &in, what)
		}
		if in.vt != 0 {
			if err := valueRule(in.vt, "function %d, opcode 0x%02x at offset %d", fn, in.op, in.start); err != nil {
				return err
			}
		}
	}
	return nil
}

// forbidden names what is wrong with an instruction the decoder accepts
// but a contract may not use, or returns "".
func forbidden(in *instr) string {
	if isFloatOp(in) {
		return "a float instruction"
	}
	switch in.op {
	case opTableSet:
		return "table.set"
	case opPrefixFC:
		switch in.sub {
		case subMemoryInit:
			return "memory.init"
		case subDataDrop:
			return "data.drop"
		case subTableInit:
			return "table.init"
		case subElemDrop:
			return "elem.drop"
		case subTableCopy:
			return "table.copy"
		case subTableGrow:
			return "table.grow"
		case subTableFill:
			return "table.fill"
		}
	}
	return ""
}

// isFloatOp reports whether an instruction loads, stores, computes on or
// converts to or from f32/f64.
func isFloatOp(in *instr) bool {
	op := in.op
	switch {
	case op == 0x2a, op == 0x2b, op == 0x38, op == 0x39, // f32/f64 load, store
		op == 0x43, op == 0x44, // f32.const, f64.const
		op >= 0x5b && op <= 0x66, // comparisons
		op >= 0x8b && op <= 0xa6, // arithmetic
		op >= 0xa8 && op <= 0xab, // i32.trunc_f32/f64
		op >= 0xae && op <= 0xbf: // i64.trunc, converts, demote, promote, reinterprets
		return true
	case op == opPrefixFC:
		return in.sub <= 7 // saturating truncations take a float
	}
	return false
}
