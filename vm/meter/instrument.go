package meter

import (
	"strings"

	"github.com/cairn-chain/cairn/core"
)

// Instrument returns the module rewritten to meter itself:
//
//   - every straight-line segment of every body charges its cost from the
//     exported i64 global GasExport at its start; when the gas left is
//     below the cost, it sets the global to -1 and traps;
//   - every call and call_indirect increments the exported i32 global
//     DepthExport before and decrements it after; past MaxCallDepth it
//     traps, leaving MaxCallDepth+1;
//   - memory.grow, memory.copy and memory.fill become calls to appended
//     helpers that charge their dynamic cost first;
//   - every mutable global of the module is exported as GlobalExport(i).
//
// Entities are only appended, so no index moves; custom sections (names,
// debug info) are dropped. Instrument refuses (invalid_module) any index
// immediate out of range of the original module, so an unvalidated module
// cannot alias what it adds; refuses the features it cannot meter (SIMD,
// threads, exceptions, tail calls, multiple memories); and refuses a
// function above MaxLocals. The output is a deterministic function of the
// input.
func Instrument(code []byte) ([]byte, error) {
	m, err := parse(code)
	if err != nil {
		return nil, err
	}
	if len(m.mems) > 1 {
		return nil, core.Errorf(core.CodeFeatureNotAllowed, "%d memories: at most one", len(m.mems))
	}
	for _, e := range m.exports {
		if strings.HasPrefix(e.name, ReservedPrefix) {
			return nil, core.Errorf(core.CodeReservedName, "export %q: names starting with %s are reserved for the metering", e.name, ReservedPrefix)
		}
	}
	in := newInjector(m)
	codeSec, err := in.codeSection()
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(code)*2+256)
	out = append(out, header...)
	have := map[byte]section{}
	for _, s := range m.sections {
		have[s.id] = s
	}
	// Known sections in their required order (tags were refused by parse).
	for _, id := range []byte{secType, secImport, secFunction, secTable, secMemory, secGlobal, secExport, secStart, secElement, secDataCount, secCode, secData} {
		s, ok := have[id]
		var payload []byte
		switch id {
		case secType:
			payload = in.appendTo(s, ok, len(m.types), in.helperTypes())
		case secFunction:
			payload = in.appendTo(s, ok, len(m.funcs)-m.numImpFns, in.helperFuncs())
		case secGlobal:
			payload = in.appendTo(s, ok, len(m.globals)-m.numImpGlobals(), in.newGlobals())
		case secExport:
			payload = in.appendTo(s, ok, len(m.exports), in.newExports())
		case secCode:
			payload = codeSec
		default:
			if !ok {
				continue
			}
			payload = code[s.start:s.end]
		}
		if payload == nil {
			continue
		}
		out = append(out, id)
		out = appendU32(out, uint32(len(payload)))
		out = append(out, payload...)
	}
	return out, nil
}

func (m *module) numImpGlobals() int {
	n := 0
	for _, im := range m.imports {
		if im.kind == kindGlobal {
			n++
		}
	}
	return n
}

// injector holds the indices of what Instrument appends.
type injector struct {
	m           *module
	gas, depth  uint32 // global indices
	helpers     bool   // the module has a memory: grow, fill and copy helpers
	growType    uint32 // (i32) -> (i32)
	bulkType    uint32 // (i32, i32, i32) -> ()
	grow        uint32 // function indices
	fill, copy_ uint32
	instrs      []instr // scratch, reused across bodies
	body        []byte  // scratch
}

func newInjector(m *module) *injector {
	in := &injector{m: m, helpers: len(m.mems) == 1}
	in.gas = uint32(len(m.globals))
	in.depth = in.gas + 1
	in.growType = uint32(len(m.types))
	in.bulkType = in.growType + 1
	in.grow = uint32(len(m.funcs))
	in.fill = in.grow + 1
	in.copy_ = in.grow + 2
	return in
}

// appendTo returns a vector section's payload with entries added: its
// original entries (n of them) then the new ones (count, bytes). It
// returns nil if there is nothing to write.
func (in *injector) appendTo(s section, ok bool, n int, add entries) []byte {
	if add.n == 0 {
		if !ok {
			return nil
		}
		return in.m.code[s.start:s.end]
	}
	var p []byte
	p = appendU32(p, uint32(n+add.n))
	if ok {
		p = append(p, in.m.code[s.items:s.end]...)
	}
	return append(p, add.b...)
}

// entries are encoded vector entries.
type entries struct {
	n int
	b []byte
}

func (in *injector) helperTypes() entries {
	if !in.helpers {
		return entries{}
	}
	return entries{2, []byte{
		0x60, 1, byte(I32), 1, byte(I32), // grow
		0x60, 3, byte(I32), byte(I32), byte(I32), 0, // fill, copy
	}}
}

func (in *injector) helperFuncs() entries {
	if !in.helpers {
		return entries{}
	}
	var b []byte
	b = appendU32(b, in.growType)
	b = appendU32(b, in.bulkType)
	b = appendU32(b, in.bulkType)
	return entries{3, b}
}

func (in *injector) newGlobals() entries {
	return entries{2, []byte{
		byte(I64), 1, opI64Const, 0, opEnd, // gas
		byte(I32), 1, opI32Const, 0, opEnd, // depth
	}}
}

func (in *injector) newExports() entries {
	var e entries
	add := func(name string, idx uint32) {
		e.b = appendName(e.b, name)
		e.b = append(e.b, kindGlobal)
		e.b = appendU32(e.b, idx)
		e.n++
	}
	add(GasExport, in.gas)
	add(DepthExport, in.depth)
	for i, g := range in.m.globals {
		if g.mutable {
			add(GlobalExport(uint32(i)), uint32(i))
		}
	}
	return e
}

// codeSection returns the code section's payload: the instrumented
// bodies, then the helpers' bodies. nil if there is none.
func (in *injector) codeSection() ([]byte, error) {
	m := in.m
	nh := 0
	if in.helpers {
		nh = 3
	}
	if len(m.bodies)+nh == 0 {
		return nil, nil
	}
	out := make([]byte, 0, (len(m.code)*2)+256)
	out = appendU32(out, uint32(len(m.bodies)+nh))
	for i, b := range m.bodies {
		body, err := in.instrumentBody(m.numImpFns+i, b)
		if err != nil {
			return nil, err
		}
		out = appendU32(out, uint32(len(body)))
		out = append(out, body...)
	}
	if in.helpers {
		for _, h := range [][]byte{in.growBody(), in.bulkBody(subMemoryFill), in.bulkBody(subMemoryCopy)} {
			out = appendU32(out, uint32(len(h)))
			out = append(out, h...)
		}
	}
	return out, nil
}

// instrumentBody decodes function fn's body and re-emits it with the gas
// charge at each segment's start and the depth count around each call.
func (in *injector) instrumentBody(fn int, b body) ([]byte, error) {
	d, err := newDecoder(in.m, fn, b, false)
	if err != nil {
		return nil, err
	}
	if d.locals > MaxLocals {
		// As Check; here too because engines are slow on huge counts.
		return nil, core.Errorf(core.CodeTooManyLocals, "function %d has %d locals (parameters included), above %d", fn, d.locals, MaxLocals)
	}
	code := in.m.code
	ins := in.instrs[:0]
	for !d.done() {
		x, err := d.next()
		if err != nil {
			return nil, err
		}
		ins = append(ins, x)
	}
	in.instrs = ins
	out := append(in.body[:0], code[b.start:ins[0].start]...) // the locals, as they were
	for i := 0; i < len(ins); {
		// The segment is ins[i:j]: up to and including the first
		// instruction after which another segment starts.
		j, cost := i, int64(0)
		for {
			cost += ins[j].cost()
			j++
			if ins[j-1].endsSegment() || j == len(ins) {
				break
			}
		}
		if cost > 0 {
			out = in.charge(out, cost+SegmentGas)
		}
		for k := i; k < j; k++ {
			out = in.emit(out, &ins[k])
		}
		i = j
	}
	in.body = out
	return out, nil
}

// emit writes one instruction, rewritten if metered.
func (in *injector) emit(out []byte, x *instr) []byte {
	switch {
	case x.op == opCall, x.op == opCallIndirect:
		out = in.depthEnter(out)
		out = append(out, in.m.code[x.start:x.end]...)
		return in.depthLeave(out)
	case x.op == opMemoryGrow:
		return in.call(out, in.grow)
	case x.op == opPrefixFC && x.sub == subMemoryFill:
		return in.call(out, in.fill)
	case x.op == opPrefixFC && x.sub == subMemoryCopy:
		return in.call(out, in.copy_)
	}
	return append(out, in.m.code[x.start:x.end]...)
}
