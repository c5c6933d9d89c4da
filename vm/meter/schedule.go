package meter

// Gas schedule v1 (docs/contracts.md, "Gas schedule"). A body is split into
// segments of straight-line code; a segment's cost, the sum of its
// instructions' costs plus SegmentGas, is charged at its start.
const (
	// SegmentGas is added to every segment that costs anything: the check
	// and charge at its start run about as long as four plain
	// instructions. Every branch, call, return and loop iteration starts a
	// segment, so each pays for the metering it triggers (the lesson of
	// CosmWasm's CWA-2024-004, where loop/br/call were underpriced).
	SegmentGas = 4
	// GrowPageGas is charged per page memory.grow asks for, before it
	// grows (whether or not it succeeds).
	GrowPageGas = 1000
	// BulkShift: memory.copy and memory.fill pay 1 per 2^BulkShift = 32
	// bytes of their length, before touching memory.
	BulkShift = 5
)

// opCost is the static cost of each single-byte opcode; the 0xfc ops cost 1.
var opCost = func() (c [256]uint8) {
	for i := range c {
		c[i] = 1
	}
	// Structure only: no work at run time.
	for _, op := range []byte{0x01, opBlock, opLoop, opElse, opEnd} {
		c[op] = 0
	}
	for op := 0x28; op <= 0x3e; op++ { // loads and stores
		c[op] = 2
	}
	c[0x6c], c[0x7e] = 2, 2 // i32.mul, i64.mul
	for _, op := range []byte{0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82} {
		c[op] = 4 // i32/i64 div_s, div_u, rem_s, rem_u
	}
	c[opCall] = 5
	c[opCallIndirect] = 10
	return c
}()

func (in *instr) cost() int64 {
	if in.op == opPrefixFC {
		return 1
	}
	return int64(opCost[in.op])
}

// endsSegment reports whether the next instruction starts a new segment:
// after anything that branches, may be branched to, or calls. A block's
// start is no branch target, so block does not split.
func (in *instr) endsSegment() bool {
	switch in.op {
	case opLoop, opIf, opElse, opEnd, opBr, opBrIf, opBrTable, opReturn, opUnreachable, opCall, opCallIndirect:
		return true
	}
	return false
}
