package vm

// TEMPORARY stand-in for vm/meter until it lands: the names below are the
// announced API of package meter. Modules are not instrumented.

const (
	scheduleVersion = 1
	gasExport       = "__cairn_gas"
	depthExport     = "__cairn_depth"
	maxCallDepth    = 1024
)

func globalExport(i uint32) string { return "__cairn_g" + itoa(i) }

func itoa(i uint32) string {
	var b [10]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

type meterValType byte

const (
	meterI32 meterValType = 0x7f
	meterI64 meterValType = 0x7e
)

type meterFuncType struct{ Params, Results []meterValType }

type meterRules struct {
	MaxMemoryPages uint32
	MaxCodeBytes   int
	Imports        map[string]meterFuncType
}

func meterCheck(code []byte, r meterRules) error { return nil }

func meterInstrument(code []byte) ([]byte, error) { return code, nil }
