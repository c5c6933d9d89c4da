package meter

import (
	"github.com/cairn-chain/cairn/core"
)

// Opcodes the decoder and the instrumenter treat specially.
const (
	opUnreachable  = 0x00
	opBlock        = 0x02
	opLoop         = 0x03
	opIf           = 0x04
	opElse         = 0x05
	opEnd          = 0x0b
	opBr           = 0x0c
	opBrIf         = 0x0d
	opBrTable      = 0x0e
	opReturn       = 0x0f
	opCall         = 0x10
	opCallIndirect = 0x11
	opSelectT      = 0x1c
	opLocalGet     = 0x20
	opGlobalGet    = 0x23
	opGlobalSet    = 0x24
	opTableGet     = 0x25
	opTableSet     = 0x26
	opMemorySize   = 0x3f
	opMemoryGrow   = 0x40
	opI32Const     = 0x41
	opI64Const     = 0x42
	opRefNull      = 0xd0
	opRefFunc      = 0xd2
	opPrefixFC     = 0xfc
	opPrefixSIMD   = 0xfd
	opPrefixAtomic = 0xfe
)

// Sub-opcodes of the 0xfc prefix from memory.init on (0-7 are the
// saturating float-to-int truncations).
const (
	subMemoryInit = 8
	subDataDrop   = 9
	subMemoryCopy = 10
	subMemoryFill = 11
	subTableInit  = 12
	subElemDrop   = 13
	subTableCopy  = 14
	subTableGrow  = 15
	subTableSize  = 16
	subTableFill  = 17
)

// instr is one decoded instruction.
type instr struct {
	start, end int // its bytes, in the module
	op         byte
	sub        byte    // the sub-opcode after 0xfc
	vt         ValType // a value type it names (block type, select, ref.null), or 0
}

// Control frame kinds.
const (
	ctrlBlock = iota
	ctrlLoop
	ctrlIf
	ctrlElse
)

// decoder walks a function body one instruction at a time, checking every
// immediate against the original module's index spaces and the nesting of
// blocks: enough that no instruction can name an entity Instrument adds.
// Types on the operand stack are the engine's validation, not ours.
type decoder struct {
	m      *module
	r      reader
	fn     int    // function index, for messages
	locals uint64 // parameters and locals
	ctrl   []byte // open control frames, the function's own first
	ltypes []ValType
}

// newDecoder reads the locals of body b of function fn and positions the
// decoder on its code. It collects the local types only if keepTypes.
func newDecoder(m *module, fn int, b body, keepTypes bool) (*decoder, error) {
	d := &decoder{m: m, fn: fn, r: reader{b: m.code[b.start:b.end], pos: b.start}}
	ft := m.funcType(uint32(fn))
	d.locals = uint64(len(ft.Params))
	groups, err := d.r.count(2)
	if err != nil {
		return nil, err
	}
	for range groups {
		n, err := d.r.u32()
		if err != nil {
			return nil, err
		}
		t, err := d.r.valType()
		if err != nil {
			return nil, err
		}
		d.locals += uint64(n)
		if d.locals > 1<<32-1 {
			return nil, d.r.errorf("function %d: too many locals", fn)
		}
		if keepTypes {
			d.ltypes = append(d.ltypes, t)
		}
	}
	d.ctrl = append(d.ctrl, ctrlBlock)
	return d, nil
}

// codeStart is the offset in the module where the body's instructions begin.
func (d *decoder) codeStart() int { return d.r.pos + d.r.off }

// done reports whether the body's final end has been read.
func (d *decoder) done() bool { return len(d.ctrl) == 0 }

func (d *decoder) errorf(in *instr, format string, args ...any) error {
	return core.Errorf(core.CodeInvalidModule, "function %d, opcode 0x%02x at offset %d: "+format,
		append([]any{d.fn, in.op, in.start}, args...)...)
}

func (d *decoder) refuse(code core.Code, in *instr, what string) error {
	return core.Errorf(code, "function %d, opcode 0x%02x at offset %d: %s not allowed", d.fn, in.op, in.start, what)
}

// index reads an index immediate and checks it against a space of n.
func (d *decoder) index(in *instr, what string, n uint64) (uint32, error) {
	x, err := d.r.u32()
	if err != nil {
		return 0, err
	}
	if uint64(x) >= n {
		return 0, d.errorf(in, "%s index %d out of range (%d)", what, x, n)
	}
	return x, nil
}

// memIndex reads the memory byte of memory.size, memory.grow and the bulk
// memory instructions: 0, the only memory (multiple memories are refused).
func (d *decoder) memIndex(in *instr) error {
	c, err := d.r.byte()
	if err != nil {
		return err
	}
	if c != 0 {
		return d.errorf(in, "memory index byte 0x%02x", c)
	}
	if len(d.m.mems) == 0 {
		return d.errorf(in, "memory instruction without a memory")
	}
	return nil
}

func (d *decoder) blockType(in *instr) error {
	c, err := d.r.byte()
	if err != nil {
		return err
	}
	if c == 0x40 {
		return nil
	}
	switch t := ValType(c); t {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		in.vt = t
		return nil
	}
	d.r.off--
	x, err := d.r.signed(33)
	if err != nil {
		return err
	}
	if x < 0 || x >= int64(len(d.m.types)) {
		return d.errorf(in, "block type index %d out of range", x)
	}
	return nil
}

func (d *decoder) label(in *instr) error {
	l, err := d.r.u32()
	if err != nil {
		return err
	}
	if uint64(l) >= uint64(len(d.ctrl)) {
		return d.errorf(in, "label %d out of range (%d)", l, len(d.ctrl))
	}
	return nil
}

// next decodes the next instruction.
func (d *decoder) next() (instr, error) {
	in := instr{start: d.codeStart()}
	op, err := d.r.byte()
	if err != nil {
		return in, d.r.errorf("function %d: body ends before its final end", d.fn)
	}
	in.op = op
	m := d.m
	switch {
	case op == opUnreachable, op == 0x01, op == opReturn, op == 0x1a, op == 0x1b,
		op >= 0x45 && op <= 0xc4, op == 0xd1:
		// No immediates: unreachable, nop, return, drop, select, the
		// numeric instructions, ref.is_null.
	case op == opBlock, op == opLoop, op == opIf:
		err = d.blockType(&in)
		d.ctrl = append(d.ctrl, op-opBlock) // ctrlBlock, ctrlLoop, ctrlIf
	case op == opElse:
		if d.ctrl[len(d.ctrl)-1] != ctrlIf {
			return in, d.errorf(&in, "else outside an if")
		}
		d.ctrl[len(d.ctrl)-1] = ctrlElse
	case op == opEnd:
		d.ctrl = d.ctrl[:len(d.ctrl)-1]
		if len(d.ctrl) == 0 && !d.r.eof() {
			return in, d.errorf(&in, "code after the function's final end")
		}
	case op == opBr, op == opBrIf:
		err = d.label(&in)
	case op == opBrTable:
		var n uint32
		if n, err = d.r.count(1); err != nil {
			break
		}
		for i := uint32(0); i <= n && err == nil; i++ {
			err = d.label(&in)
		}
	case op == opCall:
		_, err = d.index(&in, "function", uint64(len(m.funcs)))
	case op == opCallIndirect:
		if _, err = d.index(&in, "type", uint64(len(m.types))); err == nil {
			_, err = d.index(&in, "table", uint64(len(m.tables)))
		}
	case op == opSelectT:
		var n uint32
		if n, err = d.r.u32(); err != nil {
			break
		}
		if n != 1 {
			return in, d.errorf(&in, "select with %d types", n)
		}
		in.vt, err = d.r.valType()
	case op >= opLocalGet && op <= 0x22: // local.get, local.set, local.tee
		_, err = d.index(&in, "local", d.locals)
	case op == opGlobalGet, op == opGlobalSet:
		_, err = d.index(&in, "global", uint64(len(m.globals)))
	case op == opTableGet, op == opTableSet:
		_, err = d.index(&in, "table", uint64(len(m.tables)))
	case op >= 0x28 && op <= 0x3e: // loads and stores: memarg
		var align uint32
		if align, err = d.r.u32(); err != nil {
			break
		}
		if align >= 64 {
			return in, d.refuse(core.CodeFeatureNotAllowed, &in, "a memory index in a memarg (multiple memories)")
		}
		if len(m.mems) == 0 {
			return in, d.errorf(&in, "memory access without a memory")
		}
		_, err = d.r.u32()
	case op == opMemorySize, op == opMemoryGrow:
		err = d.memIndex(&in)
	case op == opI32Const:
		_, err = d.r.signed(32)
	case op == opI64Const:
		_, err = d.r.signed(64)
	case op == 0x43:
		_, err = d.r.bytes(4)
	case op == 0x44:
		_, err = d.r.bytes(8)
	case op == opRefNull:
		in.vt, err = d.r.refType()
	case op == opRefFunc:
		_, err = d.index(&in, "function", uint64(len(m.funcs)))
	case op == opPrefixFC:
		err = d.prefixFC(&in)
	case op == opPrefixSIMD:
		return in, d.refuse(core.CodeSIMDNotAllowed, &in, "SIMD")
	case op == opPrefixAtomic:
		return in, d.refuse(core.CodeThreadsNotAllowed, &in, "atomics")
	case op >= 0x06 && op <= 0x0a, op == 0x18, op == 0x19, op == 0x1f:
		return in, d.refuse(core.CodeFeatureNotAllowed, &in, "exception handling")
	case op == 0x12, op == 0x13, op == 0x15:
		return in, d.refuse(core.CodeFeatureNotAllowed, &in, "a tail call")
	case op == 0x14, op >= 0xd3 && op <= 0xd6, op == 0xfb:
		return in, d.refuse(core.CodeFeatureNotAllowed, &in, "typed function references or GC")
	default:
		return in, d.errorf(&in, "unknown opcode")
	}
	if err != nil {
		return in, err
	}
	in.end = d.codeStart()
	return in, nil
}

func (d *decoder) prefixFC(in *instr) error {
	sub, err := d.r.u32()
	if err != nil {
		return err
	}
	if sub > subTableFill {
		return d.errorf(in, "unknown 0xfc sub-opcode %d", sub)
	}
	in.sub = byte(sub)
	m := d.m
	tables := uint64(len(m.tables))
	switch sub {
	case subMemoryInit:
		if err := d.dataIndex(in); err != nil {
			return err
		}
		return d.memIndex(in)
	case subDataDrop:
		return d.dataIndex(in)
	case subMemoryCopy:
		if err := d.memIndex(in); err != nil {
			return err
		}
		return d.memIndex(in)
	case subMemoryFill:
		return d.memIndex(in)
	case subTableInit:
		if _, err := d.index(in, "element segment", uint64(m.numElems)); err != nil {
			return err
		}
		_, err = d.index(in, "table", tables)
	case subElemDrop:
		_, err = d.index(in, "element segment", uint64(m.numElems))
	case subTableCopy:
		if _, err := d.index(in, "table", tables); err != nil {
			return err
		}
		_, err = d.index(in, "table", tables)
	case subTableGrow, subTableSize, subTableFill:
		_, err = d.index(in, "table", tables)
	}
	return err
}

func (d *decoder) dataIndex(in *instr) error {
	if !d.m.hasDCount {
		return d.errorf(in, "data index without a data count section")
	}
	_, err := d.index(in, "data segment", uint64(d.m.dataCount))
	return err
}
