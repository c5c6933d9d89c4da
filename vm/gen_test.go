package vm

// bigModule returns a valid contract of about size bytes: functions
// (i64) -> i64 of arithmetic, with a branch every ~20 bytes if branchy (so
// many metered segments) or one per function (straight-line code), every
// one calling the previous, and call () -> () calling the last.
func bigModule(size int, branchy bool) []byte {
	const perFunc = 500 // bytes of arithmetic per body
	n := size / (perFunc + 8)
	var funcs [][]byte
	for f := 0; f < n; f++ {
		body := []byte{0x00}                                          // no locals
		body = append(body, 0x02, 0x40, 0x20, 0, 0x50, 0x0d, 0, 0x0b) // block local.get 0 i64.eqz br_if 0 end
		body = append(body, 0x20, 0)                                  // local.get 0
		for k := 0; len(body) < perFunc; k++ {
			if branchy && k%4 == 3 { // a branch every 4 groups: a new metered segment
				body = append(body, 0x02, 0x40, 0x20, 0, 0x50, 0x0d, 0, 0x0b)
			}
			body = append(body, 0x42)
			body = appendSLEB(body, int64(k*7919+f))
			body = append(body, 0x7c)          // i64.add
			body = append(body, 0x42, 3, 0x7e) // i64.const 3 i64.mul
		}
		if f > 0 {
			body = append(body, 0x10)
			body = appendULEB(body, uint32(f-1)) // call f-1
		}
		body = append(body, 0x0b)
		funcs = append(funcs, body)
	}
	// call: i64.const 5, call n-1, drop
	callBody := []byte{0x00, 0x42, 5, 0x10}
	callBody = appendULEB(callBody, uint32(n-1))
	callBody = append(callBody, 0x1a, 0x0b)
	funcs = append(funcs, callBody)

	out := []byte("\x00asm\x01\x00\x00\x00")
	// types: 0 (i64)->(i64), 1 ()->()
	out = section(out, 1, []byte{2, 0x60, 1, 0x7e, 1, 0x7e, 0x60, 0, 0})
	fs := appendULEB(nil, uint32(len(funcs)))
	for i := range funcs {
		if i == len(funcs)-1 {
			fs = append(fs, 1)
		} else {
			fs = append(fs, 0)
		}
	}
	out = section(out, 3, fs)
	out = section(out, 5, []byte{1, 0, 1}) // memory min 1
	exp := []byte{2, 6}
	exp = append(exp, "memory"...)
	exp = append(exp, 2, 0, 4)
	exp = append(exp, "call"...)
	exp = append(exp, 0)
	exp = appendULEB(exp, uint32(len(funcs)-1))
	out = section(out, 7, exp)
	code := appendULEB(nil, uint32(len(funcs)))
	for _, f := range funcs {
		code = appendULEB(code, uint32(len(f)))
		code = append(code, f...)
	}
	return section(out, 10, code)
}

func section(out []byte, id byte, body []byte) []byte {
	out = append(out, id)
	out = appendULEB(out, uint32(len(body)))
	return append(out, body...)
}

func appendULEB(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
