package meter

// The code Instrument emits. Any change here changes the gas of some call:
// bump ScheduleVersion.

// Opcodes used only in emitted code.
const (
	opLocalSet    = 0x21
	opI32GtU      = 0x4b
	opI64LtS      = 0x53
	opI32Add      = 0x6a
	opI32Sub      = 0x6b
	opI64Sub      = 0x7d
	opI64Mul      = 0x7e
	opI64ShrU     = 0x88
	opI64ExtendU  = 0xad
	blockTypeNone = 0x40
)

// charge emits the check and charge of a static cost c:
//
//	global.get gas; i64.const c; i64.lt_s
//	if; i64.const -1; global.set gas; unreachable; end
//	global.get gas; i64.const c; i64.sub; global.set gas
func (in *injector) charge(out []byte, c int64) []byte {
	out = in.globalGet(out, in.gas)
	out = appendS64(append(out, opI64Const), c)
	out = append(out, opI64LtS)
	out = in.outOfGas(out)
	out = in.globalGet(out, in.gas)
	out = appendS64(append(out, opI64Const), c)
	out = append(out, opI64Sub)
	return in.globalSet(out, in.gas)
}

// chargeLocal is charge with the cost in i64 local l (the helpers).
func (in *injector) chargeLocal(out []byte, l uint32) []byte {
	out = in.globalGet(out, in.gas)
	out = appendU32(append(out, opLocalGet), l)
	out = append(out, opI64LtS)
	out = in.outOfGas(out)
	out = in.globalGet(out, in.gas)
	out = appendU32(append(out, opLocalGet), l)
	out = append(out, opI64Sub)
	return in.globalSet(out, in.gas)
}

// outOfGas emits, after a condition: if; gas = -1; unreachable; end.
func (in *injector) outOfGas(out []byte) []byte {
	out = append(out, opIf, blockTypeNone, opI64Const, 0x7f) // i64.const -1
	out = in.globalSet(out, in.gas)
	return append(out, opUnreachable, opEnd)
}

// depthEnter emits, before a call:
//
//	depth = depth + 1; if depth > MaxCallDepth { unreachable }
func (in *injector) depthEnter(out []byte) []byte {
	out = in.globalGet(out, in.depth)
	out = append(out, opI32Const, 1, opI32Add)
	out = in.globalSet(out, in.depth)
	out = in.globalGet(out, in.depth)
	out = appendS64(append(out, opI32Const), MaxCallDepth)
	return append(out, opI32GtU, opIf, blockTypeNone, opUnreachable, opEnd)
}

// depthLeave emits, after a call: depth = depth - 1.
func (in *injector) depthLeave(out []byte) []byte {
	out = in.globalGet(out, in.depth)
	out = append(out, opI32Const, 1, opI32Sub)
	return in.globalSet(out, in.depth)
}

func (in *injector) globalGet(out []byte, g uint32) []byte {
	return appendU32(append(out, opGlobalGet), g)
}

func (in *injector) globalSet(out []byte, g uint32) []byte {
	return appendU32(append(out, opGlobalSet), g)
}

func (in *injector) call(out []byte, f uint32) []byte {
	return appendU32(append(out, opCall), f)
}

// growBody is the helper (pages i32) -> i32 that replaces memory.grow:
// it charges GrowPageGas per page asked for, then grows.
func (in *injector) growBody() []byte {
	out := []byte{1, 1, byte(I64)} // one local: the cost
	out = append(out, opLocalGet, 0, opI64ExtendU)
	out = appendS64(append(out, opI64Const), GrowPageGas)
	out = append(out, opI64Mul, opLocalSet, 1)
	out = in.chargeLocal(out, 1)
	return append(out, opLocalGet, 0, opMemoryGrow, 0, opEnd)
}

// bulkBody is the helper (dst, val or src, len i32) -> () that replaces
// memory.fill or memory.copy: it charges len >> BulkShift, then does it.
func (in *injector) bulkBody(sub byte) []byte {
	out := []byte{1, 1, byte(I64)} // one local: the cost
	out = append(out, opLocalGet, 2, opI64ExtendU, opI64Const, BulkShift, opI64ShrU, opLocalSet, 3)
	out = in.chargeLocal(out, 3)
	out = append(out, opLocalGet, 0, opLocalGet, 1, opLocalGet, 2, opPrefixFC, sub, 0)
	if sub == subMemoryCopy {
		out = append(out, 0)
	}
	return append(out, opEnd)
}
