package meter

import (
	"bytes"

	"github.com/cairn-chain/cairn/core"
)

// Section ids.
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
	secTag       = 13
)

// sectionRank is each known section's place in the required order.
var sectionRank = [...]int{
	secType: 1, secImport: 2, secFunction: 3, secTable: 4, secMemory: 5,
	secTag: 6, secGlobal: 7, secExport: 8, secStart: 9, secElement: 10,
	secDataCount: 11, secCode: 12, secData: 13,
}

// External kinds of imports and exports.
const (
	kindFunc   = 0
	kindTable  = 1
	kindMemory = 2
	kindGlobal = 3
	kindTag    = 4
)

var kindNames = [...]string{"function", "table", "memory", "global", "tag"}

var header = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// section is a known section's payload, with the offset just after its
// leading count (for the sections Instrument appends to).
type section struct {
	id         byte
	start, end int // payload, in the module
	items      int // offset after the count, in the module
}

type importEntry struct {
	module, name string
	kind         byte
	typeIdx      uint32 // functions
}

type limits struct {
	min, max uint32
	hasMax   bool
	shared   bool
}

type tableType struct {
	elem ValType
	lim  limits
}

type globalType struct {
	t       ValType
	mutable bool
}

type exportEntry struct {
	name string
	kind byte
	idx  uint32
}

// body is a function body's place in the module.
type body struct {
	start, end int // the body (locals and code) without its size
}

// module is what Check and Instrument need to know of a module: its index
// spaces (imports first, as in the binary format) and where things are.
type module struct {
	code     []byte
	sections []section

	types     []FuncType
	imports   []importEntry
	funcs     []uint32 // type index of every function
	numImpFns int
	tables    []tableType
	mems      []limits
	numImpMem int
	globals   []globalType
	exports   []exportEntry
	hasStart  bool
	numElems  uint32
	hasDCount bool
	dataCount uint32
	numData   uint32
	bodies    []body

	// Facts for Check's rules, found while decoding constant expressions
	// and element segments.
	constType ValType // first float, v128 or externref type seen in a constant expression or segment, or 0
}

// parse decodes a module's sections. It checks the structure and every
// index against the original index spaces, not the types of code.
func parse(code []byte) (*module, error) {
	if len(code) < len(header) || !bytes.Equal(code[:len(header)], header) {
		return nil, core.Errorf(core.CodeInvalidModule, "not a WebAssembly 1.0 binary (bad magic or version)")
	}
	m := &module{code: code}
	r := &reader{b: code, off: len(header)}
	last := 0
	var nFuncDecl = -1
	for !r.eof() {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		start := r.off
		payload, err := r.bytes(size)
		if err != nil {
			return nil, err
		}
		if id == secCustom {
			// Custom sections carry no semantics: Instrument drops them.
			sr := &reader{b: payload, pos: start}
			if _, err := sr.name(); err != nil {
				return nil, err
			}
			continue
		}
		if int(id) >= len(sectionRank) || sectionRank[id] == 0 {
			return nil, core.Errorf(core.CodeInvalidModule, "offset %d: unknown section id %d", start, id)
		}
		if sectionRank[id] <= last {
			return nil, core.Errorf(core.CodeInvalidModule, "offset %d: section %d out of order or repeated", start, id)
		}
		last = sectionRank[id]
		sr := &reader{b: payload, pos: start}
		s := section{id: id, start: start, end: start + int(size)}
		switch id {
		case secType:
			err = m.parseTypes(sr)
		case secImport:
			err = m.parseImports(sr)
		case secFunction:
			err = m.parseFunctions(sr)
			nFuncDecl = len(m.funcs) - m.numImpFns
		case secTable:
			err = m.parseTables(sr)
		case secMemory:
			err = m.parseMemories(sr)
		case secTag:
			err = core.Errorf(core.CodeFeatureNotAllowed, "tag section: exceptions are not allowed")
		case secGlobal:
			err = m.parseGlobals(sr)
		case secExport:
			err = m.parseExports(sr)
		case secStart:
			err = m.parseStart(sr)
		case secElement:
			err = m.parseElements(sr)
		case secDataCount:
			m.dataCount, err = sr.u32()
			m.hasDCount = true
		case secCode:
			err = m.parseCode(sr)
		case secData:
			err = m.parseData(sr)
		}
		if err != nil {
			return nil, err
		}
		if s.items == 0 {
			s.items = start + sr.countEnd
		}
		if !sr.eof() {
			return nil, sr.errorf("section %d has %d bytes left over", id, len(sr.b)-sr.off)
		}
		m.sections = append(m.sections, s)
	}
	if nFuncDecl < 0 {
		nFuncDecl = 0
	}
	if len(m.bodies) != nFuncDecl {
		return nil, core.Errorf(core.CodeInvalidModule, "%d functions declared, %d bodies", nFuncDecl, len(m.bodies))
	}
	if m.hasDCount && m.dataCount != m.numData {
		return nil, core.Errorf(core.CodeInvalidModule, "data count %d, %d data segments", m.dataCount, m.numData)
	}
	return m, nil
}

func (r *reader) valType() (ValType, error) {
	c, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch t := ValType(c); t {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		return t, nil
	case 0x69, 0x63, 0x64: // exnref, (ref null ht), (ref ht): proposals wazero decodes
		return 0, core.Errorf(core.CodeFeatureNotAllowed, "offset %d: value type 0x%02x (exceptions or typed references) not allowed", r.pos+r.off-1, c)
	}
	r.off--
	return 0, r.errorf("unknown value type 0x%02x", c)
}

func (r *reader) valTypes() ([]ValType, error) {
	n, err := r.count(1)
	if err != nil {
		return nil, err
	}
	ts := make([]ValType, n)
	for i := range ts {
		if ts[i], err = r.valType(); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// countEnd is set by counted to the offset after a section's count.
func (r *reader) counted(min int) (uint32, error) {
	n, err := r.count(min)
	r.countEnd = r.off
	return n, err
}

func (m *module) parseTypes(r *reader) error {
	n, err := r.counted(3)
	if err != nil {
		return err
	}
	m.types = make([]FuncType, 0, n)
	for range n {
		form, err := r.byte()
		if err != nil {
			return err
		}
		if form != 0x60 {
			return r.errorf("type form 0x%02x is not a function type", form)
		}
		var ft FuncType
		if ft.Params, err = r.valTypes(); err != nil {
			return err
		}
		if ft.Results, err = r.valTypes(); err != nil {
			return err
		}
		m.types = append(m.types, ft)
	}
	return nil
}

func (r *reader) limits() (limits, error) {
	var l limits
	flag, err := r.byte()
	if err != nil {
		return l, err
	}
	if flag > 3 {
		return l, core.Errorf(core.CodeFeatureNotAllowed, "offset %d: limits flag 0x%02x (64-bit memory or custom page sizes) not allowed", r.pos+r.off-1, flag)
	}
	l.shared = flag&2 != 0
	if l.min, err = r.u32(); err != nil {
		return l, err
	}
	if flag&1 != 0 {
		l.hasMax = true
		if l.max, err = r.u32(); err != nil {
			return l, err
		}
		if l.max < l.min {
			return l, r.errorf("limits maximum %d below minimum %d", l.max, l.min)
		}
	}
	return l, nil
}

func (r *reader) refType() (ValType, error) {
	t, err := r.valType()
	if err != nil {
		return 0, err
	}
	if t != FuncRef && t != ExternRef {
		return 0, r.errorf("%s is not a reference type", t)
	}
	return t, nil
}

func (r *reader) tableType() (tableType, error) {
	var tt tableType
	var err error
	if tt.elem, err = r.refType(); err != nil {
		return tt, err
	}
	if tt.lim, err = r.limits(); err != nil {
		return tt, err
	}
	if tt.lim.shared {
		return tt, r.errorf("a table cannot be shared")
	}
	return tt, nil
}

func (r *reader) globalType() (globalType, error) {
	var g globalType
	var err error
	if g.t, err = r.valType(); err != nil {
		return g, err
	}
	mut, err := r.byte()
	if err != nil {
		return g, err
	}
	if mut > 1 {
		return g, r.errorf("global mutability 0x%02x", mut)
	}
	g.mutable = mut == 1
	return g, nil
}

func (m *module) parseImports(r *reader) error {
	n, err := r.counted(4)
	if err != nil {
		return err
	}
	for range n {
		var im importEntry
		if im.module, err = r.name(); err != nil {
			return err
		}
		if im.name, err = r.name(); err != nil {
			return err
		}
		if im.kind, err = r.byte(); err != nil {
			return err
		}
		switch im.kind {
		case kindFunc:
			if im.typeIdx, err = r.u32(); err != nil {
				return err
			}
			if int64(im.typeIdx) >= int64(len(m.types)) {
				return r.errorf("import %s.%s: type index %d out of range", im.module, im.name, im.typeIdx)
			}
			m.funcs = append(m.funcs, im.typeIdx)
			m.numImpFns++
		case kindTable:
			tt, err := r.tableType()
			if err != nil {
				return err
			}
			m.tables = append(m.tables, tt)
		case kindMemory:
			l, err := r.limits()
			if err != nil {
				return err
			}
			m.mems = append(m.mems, l)
			m.numImpMem++
		case kindGlobal:
			g, err := r.globalType()
			if err != nil {
				return err
			}
			m.globals = append(m.globals, g)
		case kindTag:
			return core.Errorf(core.CodeFeatureNotAllowed, "import %s.%s: exceptions (tags) are not allowed", im.module, im.name)
		default:
			return r.errorf("import %s.%s: unknown kind %d", im.module, im.name, im.kind)
		}
		m.imports = append(m.imports, im)
	}
	return nil
}

func (m *module) parseFunctions(r *reader) error {
	n, err := r.counted(1)
	if err != nil {
		return err
	}
	for range n {
		t, err := r.u32()
		if err != nil {
			return err
		}
		if int64(t) >= int64(len(m.types)) {
			return r.errorf("function %d: type index %d out of range", len(m.funcs), t)
		}
		m.funcs = append(m.funcs, t)
	}
	return nil
}

func (m *module) parseTables(r *reader) error {
	n, err := r.counted(3)
	if err != nil {
		return err
	}
	for range n {
		tt, err := r.tableType()
		if err != nil {
			return err
		}
		m.tables = append(m.tables, tt)
	}
	return nil
}

func (m *module) parseMemories(r *reader) error {
	n, err := r.counted(2)
	if err != nil {
		return err
	}
	for range n {
		l, err := r.limits()
		if err != nil {
			return err
		}
		m.mems = append(m.mems, l)
	}
	return nil
}

func (m *module) parseGlobals(r *reader) error {
	n, err := r.counted(4)
	if err != nil {
		return err
	}
	for range n {
		g, err := r.globalType()
		if err != nil {
			return err
		}
		// A constant expression may read only globals defined before.
		if err := m.constExpr(r, len(m.globals)); err != nil {
			return err
		}
		m.globals = append(m.globals, g)
	}
	return nil
}

// constExpr reads a constant expression up to its end, checking indices:
// global.get may read globals below maxGlobal.
func (m *module) constExpr(r *reader, maxGlobal int) error {
	for {
		op, err := r.byte()
		if err != nil {
			return err
		}
		switch op {
		case 0x0b: // end
			return nil
		case 0x41: // i32.const
			_, err = r.signed(32)
		case 0x42: // i64.const
			_, err = r.signed(64)
		case 0x43: // f32.const
			m.noteConst(F32)
			_, err = r.bytes(4)
		case 0x44: // f64.const
			m.noteConst(F64)
			_, err = r.bytes(8)
		case 0x23: // global.get
			var g uint32
			if g, err = r.u32(); err == nil && int64(g) >= int64(maxGlobal) {
				err = r.errorf("constant expression: global index %d out of range", g)
			}
		case 0xd0: // ref.null
			var t ValType
			if t, err = r.refType(); err == nil {
				m.noteConst(t)
			}
		case 0xd2: // ref.func
			var f uint32
			if f, err = r.u32(); err == nil && int64(f) >= int64(len(m.funcs)) {
				err = r.errorf("constant expression: function index %d out of range", f)
			}
		default:
			return r.errorf("opcode 0x%02x not allowed in a constant expression", op)
		}
		if err != nil {
			return err
		}
	}
}

// offsetExpr reads an active segment's offset, which must be a single
// i32.const: the only form a module without imported globals can give,
// and one Check can bound against the initial memory or table.
func (m *module) offsetExpr(r *reader, what string, i uint32) (uint32, error) {
	start := r.off
	if err := m.constExpr(r, len(m.globals)); err != nil {
		return 0, err
	}
	expr := r.b[start:r.off]
	if len(expr) >= 3 && expr[0] == 0x41 {
		sub := &reader{b: expr[1:], pos: r.pos + start + 1}
		if v, err := sub.signed(32); err == nil && sub.off == len(expr)-2 {
			return uint32(v), nil
		}
	}
	return 0, r.errorf("%s %d: offset is not a single i32.const", what, i)
}

func (m *module) noteConst(t ValType) {
	if m.constType == 0 && t != FuncRef && t != I32 && t != I64 {
		m.constType = t
	}
}

func (m *module) parseExports(r *reader) error {
	n, err := r.counted(3)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, n)
	for range n {
		var e exportEntry
		if e.name, err = r.name(); err != nil {
			return err
		}
		if e.kind, err = r.byte(); err != nil {
			return err
		}
		if e.idx, err = r.u32(); err != nil {
			return err
		}
		var space int
		switch e.kind {
		case kindFunc:
			space = len(m.funcs)
		case kindTable:
			space = len(m.tables)
		case kindMemory:
			space = len(m.mems)
		case kindGlobal:
			space = len(m.globals)
		case kindTag:
			return core.Errorf(core.CodeFeatureNotAllowed, "export %q: exceptions (tags) are not allowed", e.name)
		default:
			return r.errorf("export %q: unknown kind %d", e.name, e.kind)
		}
		if int64(e.idx) >= int64(space) {
			return r.errorf("export %q: %s index %d out of range", e.name, kindNames[e.kind], e.idx)
		}
		if seen[e.name] {
			return r.errorf("export %q twice", e.name)
		}
		seen[e.name] = true
		m.exports = append(m.exports, e)
	}
	return nil
}

func (m *module) parseStart(r *reader) error {
	f, err := r.u32()
	if err != nil {
		return err
	}
	if int64(f) >= int64(len(m.funcs)) {
		return r.errorf("start: function index %d out of range", f)
	}
	m.hasStart = true
	return nil
}

func (m *module) parseElements(r *reader) error {
	n, err := r.counted(2)
	if err != nil {
		return err
	}
	m.numElems = n
	for i := range n {
		elemAt, elemTable := uint32(0), -1 // an active segment's offset and table
		flags, err := r.u32()
		if err != nil {
			return err
		}
		if flags > 7 {
			return r.errorf("element segment %d: flags %d", i, flags)
		}
		if flags&1 == 0 { // active
			table := uint32(0)
			if flags&2 != 0 {
				if table, err = r.u32(); err != nil {
					return err
				}
			}
			if int64(table) >= int64(len(m.tables)) {
				return r.errorf("element segment %d: table index %d out of range", i, table)
			}
			if elemAt, err = m.offsetExpr(r, "element segment", i); err != nil {
				return err
			}
			elemTable = int(table)
		}
		exprs := flags&4 != 0
		if flags&3 != 0 { // elemkind or reftype
			if exprs {
				t, err := r.refType()
				if err != nil {
					return err
				}
				m.noteConst(t)
			} else if k, err := r.byte(); err != nil {
				return err
			} else if k != 0 {
				return r.errorf("element segment %d: element kind %d", i, k)
			}
		}
		cnt, err := r.count(1)
		if err != nil {
			return err
		}
		if elemTable >= 0 && uint64(elemAt)+uint64(cnt) > uint64(m.tables[elemTable].lim.min) {
			return r.errorf("element segment %d: entries [%d, %d) outside the initial table of %d", i, elemAt, uint64(elemAt)+uint64(cnt), m.tables[elemTable].lim.min)
		}
		for range cnt {
			if exprs {
				err = m.constExpr(r, len(m.globals))
			} else {
				var f uint32
				if f, err = r.u32(); err == nil && int64(f) >= int64(len(m.funcs)) {
					err = r.errorf("element segment %d: function index %d out of range", i, f)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *module) parseCode(r *reader) error {
	n, err := r.counted(2)
	if err != nil {
		return err
	}
	m.bodies = make([]body, 0, n)
	for range n {
		size, err := r.u32()
		if err != nil {
			return err
		}
		start := r.pos + r.off
		if _, err := r.bytes(size); err != nil {
			return err
		}
		m.bodies = append(m.bodies, body{start: start, end: start + int(size)})
	}
	return nil
}

func (m *module) parseData(r *reader) error {
	n, err := r.counted(2)
	if err != nil {
		return err
	}
	m.numData = n
	for i := range n {
		flags, err := r.u32()
		if err != nil {
			return err
		}
		switch flags {
		case 0, 2:
			mem := uint32(0)
			if flags == 2 {
				if mem, err = r.u32(); err != nil {
					return err
				}
			}
			if int64(mem) >= int64(len(m.mems)) {
				return r.errorf("data segment %d: memory index %d out of range", i, mem)
			}
			at, err := m.offsetExpr(r, "data segment", i)
			if err != nil {
				return err
			}
			size, err := r.u32()
			if err != nil {
				return err
			}
			// Out of bounds, the module could never be instantiated: a
			// deploy error, not a failed call at every use.
			if limit := uint64(m.mems[mem].min) * 65536; uint64(at)+uint64(size) > limit {
				return r.errorf("data segment %d: bytes [%d, %d) outside the initial memory of %d bytes", i, at, uint64(at)+uint64(size), limit)
			}
			if _, err := r.bytes(size); err != nil {
				return err
			}
			continue
		case 1:
		default:
			return r.errorf("data segment %d: flags %d", i, flags)
		}
		size, err := r.u32()
		if err != nil {
			return err
		}
		if _, err := r.bytes(size); err != nil {
			return err
		}
	}
	return nil
}

// funcType returns function f's signature.
func (m *module) funcType(f uint32) FuncType { return m.types[m.funcs[f]] }

// export finds an export by name.
func (m *module) export(name string) (exportEntry, bool) {
	for _, e := range m.exports {
		if e.name == name {
			return e, true
		}
	}
	return exportEntry{}, false
}
