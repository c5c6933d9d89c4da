package meter

// gen turns fuzz bytes into a random valid contract: i32/i64 arithmetic,
// locals, globals, blocks, loops bounded and unbounded, br_if, if/else,
// calls (recursion included), loads and stores, memory.fill/copy/grow and
// the stub storage imports. Expressions are generated as trees typed by
// construction, so every module validates; exhausted input picks the
// simplest choices, so generation always ends.

type gen struct {
	data []byte
	pos  int

	nFuncs   int
	nLocals  int // locals of the current function: i32 at even, i64 at odd indices after the params
	counters int // first counter local
	loop     int // loop nesting of the current statement
	depth    int // expression depth
	labels   int // control depth inside the current function (for br)
	code     []byte
}

// Layout of every generated module.
const (
	genRead      = 0 // import storage_read
	genWrite     = 1 // import storage_write
	genFirstFunc = 2
	genParams    = 2 // (i32, i64) -> i64
	genLocals    = 6 // locals 2..7: i32, i64, i32, i64, i32, i64
	genCounters  = 3 // locals 8..10: i32 loop counters
	genMemMask   = 0xfff0
	maxStmts     = 4
	maxNest      = 3
	maxExprDepth = 4
)

func (g *gen) byte() byte {
	if g.pos >= len(g.data) {
		return 0
	}
	c := g.data[g.pos]
	g.pos++
	return c
}

func (g *gen) pick(n int) int { return int(g.byte()) % n }

func (g *gen) op(b ...byte) { g.code = append(g.code, b...) }

func (g *gen) i32const(v int32) { g.code = appendS64(append(g.code, opI32Const), int64(v)) }

func (g *gen) i64const(v int64) { g.code = appendS64(append(g.code, opI64Const), v) }

// addr pushes an i32 address inside the first page, 16-byte aligned.
func (g *gen) addr() {
	g.expr32()
	g.i32const(genMemMask)
	g.op(0x71) // i32.and
}

func (g *gen) localOf(t ValType) byte {
	// Params: 0 i32, 1 i64. Locals 2..7 alternate i32, i64.
	i := g.pick(4)
	if t == I32 {
		return byte([]int{0, 2, 4, 6}[i])
	}
	return byte([]int{1, 3, 5, 7}[i])
}

var (
	binops32 = []byte{0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
		0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f}
	binops64 = []byte{0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a}
	cmp64    = []byte{0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a}
)

// expr32 pushes one i32.
func (g *gen) expr32() {
	g.depth++
	defer func() { g.depth-- }()
	c := g.pick(16)
	if g.depth > maxExprDepth {
		c %= 3
	}
	switch c {
	case 0:
		g.i32const(int32(g.byte()) - 8)
	case 1:
		g.op(opLocalGet, g.localOf(I32))
	case 2:
		g.op(opGlobalGet, byte(g.pick(2)*2)) // g0 (mut) or g2 (immutable)
	case 3, 4, 5:
		g.expr32()
		g.expr32()
		g.op(binops32[g.pick(len(binops32))])
	case 6:
		g.expr32()
		g.op([]byte{0x45, 0x67, 0x68, 0x69, 0xc0, 0xc1}[g.pick(6)]) // eqz clz ctz popcnt extend8_s extend16_s
	case 7:
		g.expr64()
		g.op(0xa7) // i32.wrap_i64
	case 8:
		g.expr64()
		g.expr64()
		g.op(cmp64[g.pick(len(cmp64))])
	case 9:
		g.addr()
		g.op([]byte{0x28, 0x2c, 0x2d, 0x2e, 0x2f}[g.pick(5)], 0, byte(g.pick(8))) // i32.load, load8/16_s/u
	case 10:
		g.op(opMemorySize, 0)
	case 11:
		g.i32const(int32(g.pick(3)))
		g.op(opMemoryGrow, 0)
	case 12: // storage_read(k, 1, v, 8)
		g.addr()
		g.i32const(1)
		g.addr()
		g.i32const(8)
		g.op(opCall, genRead)
	case 13:
		g.expr32()
		g.expr32()
		g.expr32()
		g.op(0x1b) // select
	case 14: // if with a result
		g.expr32()
		g.op(opIf, byte(I32))
		g.labels++
		g.expr32()
		g.op(opElse)
		g.expr32()
		g.labels--
		g.op(opEnd)
	case 15:
		g.call()
		g.op(0xa7)
	}
}

// expr64 pushes one i64.
func (g *gen) expr64() {
	g.depth++
	defer func() { g.depth-- }()
	c := g.pick(9)
	if g.depth > maxExprDepth {
		c %= 3
	}
	switch c {
	case 0:
		g.i64const(int64(g.byte())<<int(g.pick(60)) - 3)
	case 1:
		g.op(opLocalGet, g.localOf(I64))
	case 2:
		g.op(opGlobalGet, 1)
	case 3, 4:
		g.expr64()
		g.expr64()
		g.op(binops64[g.pick(len(binops64))])
	case 5:
		g.expr32()
		g.op([]byte{0xac, 0xad}[g.pick(2)]) // i64.extend_i32_s/u
	case 6:
		g.addr()
		g.op([]byte{0x29, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35}[g.pick(7)], 0, byte(g.pick(8)))
	case 7:
		g.call()
	case 8:
		g.expr64()
		g.op([]byte{0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4}[g.pick(6)]) // clz ctz popcnt extend8/16/32_s
	}
}

// call pushes the i64 result of a call to a generated function (any,
// itself included: recursion ends by gas, depth or a condition).
func (g *gen) call() {
	g.expr32()
	g.expr64()
	f := genFirstFunc + int(g.byte())<<8 | int(g.byte())
	g.code = appendU32(append(g.code, opCall), uint32(genFirstFunc+(f-genFirstFunc)%g.nFuncs))
}

// label picks a branch target among the open blocks, loops and ifs (all
// of type [] -> []); not the function's own label, which needs its result.
func (g *gen) label() byte { return byte(g.pick(g.labels - 1)) }

// stmts writes up to maxStmts stack-neutral statements.
func (g *gen) stmts(nest int) {
	for n := g.pick(maxStmts + 1); n > 0; n-- {
		g.stmt(nest)
	}
}

func (g *gen) stmt(nest int) {
	c := g.pick(14)
	if nest >= maxNest && c >= 8 {
		c %= 8
	}
	switch c {
	case 0:
		g.expr32()
		g.op(0x21, g.localOf(I32)) // local.set
	case 1:
		g.expr64()
		g.op(0x21, g.localOf(I64))
	case 2:
		g.expr32()
		g.op(opGlobalSet, 0)
	case 3:
		g.expr64()
		g.op(opGlobalSet, 1)
	case 4:
		g.addr()
		g.expr32()
		g.op([]byte{0x36, 0x3a, 0x3b}[g.pick(3)], 0, byte(g.pick(8))) // i32.store, store8, store16
	case 5:
		g.addr()
		g.expr64()
		g.op([]byte{0x37, 0x3c, 0x3d, 0x3e}[g.pick(4)], 0, byte(g.pick(8)))
	case 6: // memory.copy (dst, src, len) or memory.fill (dst, val, len); may trap out of bounds
		g.addr()
		g.expr32()
		if g.pick(2) == 0 {
			g.addr()
			g.op(opPrefixFC, subMemoryCopy, 0, 0)
			return
		}
		g.expr32() // the length
		g.op(opPrefixFC, subMemoryFill, 0)
	case 7: // storage_write(k, 1, v, len)
		g.addr()
		g.i32const(1)
		g.addr()
		g.i32const(int32(g.pick(64)))
		g.op(opCall, genWrite)
	case 8: // if/else
		g.expr32()
		g.op(opIf, blockTypeNone)
		g.labels++
		g.stmts(nest + 1)
		if g.pick(2) == 0 {
			g.op(opElse)
			g.stmts(nest + 1)
		}
		g.labels--
		g.op(opEnd)
	case 9: // block with a conditional exit
		g.op(opBlock, blockTypeNone)
		g.labels++
		g.stmts(nest + 1)
		g.expr32()
		g.op(opBrIf, g.label())
		g.stmts(nest + 1)
		g.labels--
		g.op(opEnd)
	case 10, 11: // bounded loop: counter = n; loop { ...; br_if (--counter != 0) }
		if g.loop >= genCounters {
			return
		}
		ctr := byte(genParams + genLocals + g.loop)
		g.i32const(int32(g.pick(20)) + 1)
		g.op(0x21, ctr)
		g.op(opLoop, blockTypeNone)
		g.labels++
		g.loop++
		g.stmts(nest + 1)
		g.loop--
		g.op(opLocalGet, ctr, opI32Const, 1, 0x6b, 0x22, ctr) // local.tee ctr (ctr - 1)
		g.op(opBrIf, 0)
		g.labels--
		g.op(opEnd)
	case 12: // unbounded loop: ends by gas, a trap, or a branch out
		g.op(opLoop, blockTypeNone)
		g.labels++
		g.stmts(nest + 1)
		g.expr32()
		g.op(opBrIf, g.label())
		g.op(opBr, 0)
		g.labels--
		g.op(opEnd)
	case 13: // early return
		g.expr32()
		g.op(opIf, blockTypeNone)
		g.labels++
		g.expr64()
		g.op(opReturn)
		g.labels--
		g.op(opEnd)
	}
}

// genModule builds a contract from fuzz bytes.
func genModule(data []byte) []byte {
	g := &gen{data: data}
	return g.module(1 + g.pick(3))
}

// module builds a contract of n generated functions.
func (g *gen) module(n int) []byte {
	g.nFuncs = n
	b := &builder{}
	read := testImports["storage_read"]
	write := testImports["storage_write"]
	b.importFunc("env", "storage_read", b.typ(read.Params, read.Results))
	b.importFunc("env", "storage_write", b.typ(write.Params, write.Results))
	ft := b.typ([]ValType{I32, I64}, []ValType{I64})
	void := b.typ(nil, nil)
	b.mems = [][]byte{{1, 1, 4}}
	b.global(I32, true, opI32Const, 0)
	b.global(I64, true, opI64Const, 0)
	b.global(I32, false, opI32Const, 7)
	b.data = [][]byte{append([]byte{0, opI32Const, 0, opEnd, 8}, "cairn-01"...)}
	loc := locals([2]uint32{1, uint32(I32)}, [2]uint32{1, uint32(I64)}, [2]uint32{1, uint32(I32)},
		[2]uint32{1, uint32(I64)}, [2]uint32{1, uint32(I32)}, [2]uint32{1, uint32(I64)}, [2]uint32{genCounters, uint32(I32)})
	for range g.nFuncs {
		g.code, g.labels, g.loop = nil, 1, 0
		g.stmts(0)
		g.expr64()
		g.op(opEnd)
		b.fn(ft, loc, g.code...)
	}
	// call: g1 = f0(g0, g1), then store it.
	call := b.fn(void, nil, opGlobalGet, 0, opGlobalGet, 1, opCall, genFirstFunc,
		opGlobalSet, 1, opI32Const, 0xc0, 0, opGlobalGet, 1, 0x37, 3, 0, opEnd) // i32.const 64
	b.export("memory", kindMemory, 0)
	b.export("call", kindFunc, call)
	return b.bytes()
}
