package meter

// A tiny WebAssembly module builder for the tests and the fuzz generator.

type builder struct {
	types, imports, tables, mems, globals, exports, elems, data [][]byte
	funcs                                                       []uint32
	codes                                                       [][]byte
	nImpFuncs                                                   int
	start                                                       []byte
	dataCount                                                   []byte
	custom                                                      []byte
}

func vec(items [][]byte) []byte {
	b := appendU32(nil, uint32(len(items)))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func valTypes(ts []ValType) []byte {
	b := appendU32(nil, uint32(len(ts)))
	for _, t := range ts {
		b = append(b, byte(t))
	}
	return b
}

// typ adds a function type and returns its index.
func (b *builder) typ(params, results []ValType) uint32 {
	t := append([]byte{0x60}, valTypes(params)...)
	b.types = append(b.types, append(t, valTypes(results)...))
	return uint32(len(b.types) - 1)
}

// importFunc adds an imported function; call it before adding functions.
func (b *builder) importFunc(module, name string, typ uint32) uint32 {
	e := appendName(appendName(nil, module), name)
	b.imports = append(b.imports, appendU32(append(e, kindFunc), typ))
	b.nImpFuncs++
	return uint32(b.nImpFuncs - 1)
}

// importRaw adds an import of any kind from its descriptor bytes.
func (b *builder) importRaw(module, name string, desc ...byte) {
	e := appendName(appendName(nil, module), name)
	b.imports = append(b.imports, append(e, desc...))
}

// fn adds a function with local groups (count, type pairs encoded) and
// code (its final end included) and returns its index.
func (b *builder) fn(typ uint32, locals []byte, code ...byte) uint32 {
	b.funcs = append(b.funcs, typ)
	if locals == nil {
		locals = []byte{0}
	}
	body := append(append([]byte{}, locals...), code...)
	b.codes = append(b.codes, append(appendU32(nil, uint32(len(body))), body...))
	return uint32(b.nImpFuncs + len(b.funcs) - 1)
}

func (b *builder) memory(min uint32) {
	b.mems = append(b.mems, appendU32([]byte{0}, min))
}

func (b *builder) global(t ValType, mutable bool, init ...byte) uint32 {
	mut := byte(0)
	if mutable {
		mut = 1
	}
	b.globals = append(b.globals, append([]byte{byte(t), mut}, append(init, opEnd)...))
	return uint32(len(b.globals) - 1)
}

func (b *builder) export(name string, kind byte, idx uint32) {
	b.exports = append(b.exports, appendU32(append(appendName(nil, name), kind), idx))
}

func addSection(out []byte, id byte, payload []byte) []byte {
	out = append(out, id)
	out = appendU32(out, uint32(len(payload)))
	return append(out, payload...)
}

func (b *builder) bytes() []byte {
	out := append([]byte{}, header...)
	if b.custom != nil {
		out = addSection(out, secCustom, b.custom)
	}
	if len(b.types) > 0 {
		out = addSection(out, secType, vec(b.types))
	}
	if len(b.imports) > 0 {
		out = addSection(out, secImport, vec(b.imports))
	}
	if len(b.funcs) > 0 {
		var fs [][]byte
		for _, t := range b.funcs {
			fs = append(fs, appendU32(nil, t))
		}
		out = addSection(out, secFunction, vec(fs))
	}
	if len(b.tables) > 0 {
		out = addSection(out, secTable, vec(b.tables))
	}
	if len(b.mems) > 0 {
		out = addSection(out, secMemory, vec(b.mems))
	}
	if len(b.globals) > 0 {
		out = addSection(out, secGlobal, vec(b.globals))
	}
	if len(b.exports) > 0 {
		out = addSection(out, secExport, vec(b.exports))
	}
	if b.start != nil {
		out = addSection(out, secStart, b.start)
	}
	if len(b.elems) > 0 {
		out = addSection(out, secElement, vec(b.elems))
	}
	if b.dataCount != nil {
		out = addSection(out, secDataCount, b.dataCount)
	}
	if len(b.codes) > 0 {
		out = addSection(out, secCode, vec(b.codes))
	}
	if len(b.data) > 0 {
		out = addSection(out, secData, vec(b.data))
	}
	return out
}

var void = FuncType{}

// contract returns a builder holding a minimal valid contract: an exported
// memory of one page and an exported call: () -> () running code (its
// final end included). The call function is index 0 of the type space.
func contract(code ...byte) *builder {
	b := &builder{}
	t := b.typ(nil, nil)
	b.memory(1)
	b.export("memory", kindMemory, 0)
	f := b.fn(t, nil, code...)
	b.export("call", kindFunc, f)
	return b
}
