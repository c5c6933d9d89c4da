package vm

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/tetratelabs/wazero/api"
)

// Limits of the host ABI (docs/contracts.md).
const (
	MaxKeyBytes     = 64        // storage key: 1 to 64 bytes
	MaxValueBytes   = 8 << 10   // storage value: 0 to 8 KiB
	MaxReturnBytes  = 16 << 10  // set_return: at most 16 KiB
	MaxTopicBytes   = 32        // event topic: 1 to 32 bytes
	MaxEventData    = 1 << 10   // event data: 0 to 1 KiB
	MaxEvents       = 32        // events per call
	MaxAbortMessage = 256       // abort message bytes
	maxAmount       = 1<<53 - 1 // amounts are 0 to 2^53 - 1 (core.MaxMoney)
)

// Gas of the host functions (docs/contracts.md, schedule v1).
const (
	gasInput        = 10 // + 1/byte copied
	gasSetReturn    = 10 // + 1/byte
	gasStorageRead  = 200
	gasStorageWrite = 500 // + 10/byte of key and value
	gasStorageDel   = 200 // + 1/byte of key
	gasEnv          = 10  // caller, self_address, value, block_height, block_time
	gasBalance      = 100
	gasAssetBalance = 200
	gasTransfer     = 1000
	gasEmit         = 200 // + 2/byte of topic and data
	gasSHA256       = 60  // + 1 per 8 bytes
	gasAbort        = 10
)

const (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// hostFunc is one function of module "env". The same table registers the
// Go functions with wazero and gives meter the allowed imports, so the
// two cannot drift.
type hostFunc struct {
	name    string
	params  []api.ValueType
	results []api.ValueType
	fn      func(in *instance, s []uint64)
}

// abi is the host ABI, in the order of docs/contracts.md.
var abi = []hostFunc{
	{"input", []api.ValueType{i32, i32}, []api.ValueType{i32}, hostInput},
	{"set_return", []api.ValueType{i32, i32}, nil, hostSetReturn},
	{"storage_read", []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}, hostStorageRead},
	{"storage_write", []api.ValueType{i32, i32, i32, i32}, nil, hostStorageWrite},
	{"storage_delete", []api.ValueType{i32, i32}, nil, hostStorageDelete},
	{"caller", []api.ValueType{i32}, nil, hostCaller},
	{"self_address", []api.ValueType{i32}, nil, hostSelf},
	{"value", nil, []api.ValueType{i64}, hostValue},
	{"block_height", nil, []api.ValueType{i64}, hostBlockHeight},
	{"block_time", nil, []api.ValueType{i64}, hostBlockTime},
	{"balance", []api.ValueType{i32}, []api.ValueType{i64}, hostBalance},
	{"asset_balance", []api.ValueType{i32, i32}, []api.ValueType{i64}, hostAssetBalance},
	{"transfer", []api.ValueType{i32, i64}, []api.ValueType{i32}, hostTransfer},
	{"asset_transfer", []api.ValueType{i32, i32, i64}, []api.ValueType{i32}, hostAssetTransfer},
	{"emit_event", []api.ValueType{i32, i32, i32, i32}, nil, hostEmit},
	{"sha256", []api.ValueType{i32, i32, i32}, nil, hostSHA256},
	{"abort", []api.ValueType{i32, i32}, nil, hostAbort},
}

// importRules is the allowed imports of module env, from abi.
func importRules() map[string]meter.FuncType {
	m := make(map[string]meter.FuncType, len(abi))
	conv := func(ts []api.ValueType) []meter.ValType {
		out := make([]meter.ValType, len(ts))
		for i, t := range ts {
			out[i] = meter.ValType(t)
		}
		return out
	}
	for _, f := range abi {
		m[f.name] = meter.FuncType{Params: conv(f.params), Results: conv(f.results)}
	}
	return m
}

// trap stops the call with CodeTrap.
func (in *instance) trap(format string, args ...any) {
	panic(&fault{core.CodeTrap, fmt.Sprintf(format, args...)})
}

// internal stops the run with a Host failure.
func (in *instance) internal(err error) {
	panic(&internalError{err})
}

// charge takes n gas before a host function does its work; without enough
// gas it sets the gas left to -1 (as the metered code does) and stops the
// call with out_of_gas.
func (in *instance) charge(n uint64) {
	if in.gas == nil { // unmetered (test hook): gas kept in Go
		if in.gasLeft < 0 || uint64(in.gasLeft) < n {
			in.gasLeft = -1
			panic(errOutOfGas)
		}
		in.gasLeft -= int64(n)
		return
	}
	left := int64(in.gas.Get())
	if left < 0 || uint64(left) < n {
		in.gas.Set(^uint64(0)) // -1
		panic(errOutOfGas)
	}
	in.gas.Set(uint64(left - int64(n)))
}

// mem returns the memory range [ptr, ptr+n), trapping if it is outside.
func (in *instance) memRange(what string, ptr, n uint32) []byte {
	b, ok := in.mem.Read(ptr, n)
	if !ok {
		in.trap("%s: range [%d, %d) outside memory of %d bytes", what, ptr, uint64(ptr)+uint64(n), in.mem.Size())
	}
	return b
}

// keyArg checks a storage key's length and range.
func (in *instance) keyArg(fn string, ptr, n uint32) []byte {
	if n < 1 || n > MaxKeyBytes {
		in.trap("%s: key length %d, want 1 to %d", fn, n, MaxKeyBytes)
	}
	return in.memRange(fn+" key", ptr, n)
}

func u32(v uint64) uint32 { return uint32(v) }

func minU32(a uint32, b int) uint32 {
	if uint64(a) < uint64(b) {
		return a
	}
	return uint32(b)
}

func hostInput(in *instance, s []uint64) {
	ptr, capacity := u32(s[0]), u32(s[1])
	dst := in.memRange("input", ptr, capacity)
	input := in.host.Input()
	n := minU32(capacity, len(input))
	in.charge(gasInput + uint64(n))
	copy(dst, input[:n])
	s[0] = uint64(uint32(len(input)))
}

func hostSetReturn(in *instance, s []uint64) {
	ptr, n := u32(s[0]), u32(s[1])
	if n > MaxReturnBytes {
		in.trap("set_return: length %d above %d", n, MaxReturnBytes)
	}
	src := in.memRange("set_return", ptr, n)
	in.charge(gasSetReturn + uint64(n))
	in.ret = append(in.ret[:0], src...)
	in.hasRet = true
}

func hostStorageRead(in *instance, s []uint64) {
	kptr, klen, vptr, vcap := u32(s[0]), u32(s[1]), u32(s[2]), u32(s[3])
	key := in.keyArg("storage_read", kptr, klen)
	dst := in.memRange("storage_read value", vptr, vcap)
	in.charge(gasStorageRead + uint64(klen))
	val, ok, err := in.host.StorageRead(key)
	if err != nil {
		in.internal(err)
	}
	if !ok {
		s[0] = uint64(uint32(0xffffffff)) // -1
		return
	}
	n := minU32(vcap, len(val))
	in.charge(uint64(n))
	copy(dst, val[:n])
	s[0] = uint64(uint32(len(val)))
}

func hostStorageWrite(in *instance, s []uint64) {
	kptr, klen, vptr, vlen := u32(s[0]), u32(s[1]), u32(s[2]), u32(s[3])
	if vlen > MaxValueBytes {
		in.trap("storage_write: value length %d above %d", vlen, MaxValueBytes)
	}
	key := in.keyArg("storage_write", kptr, klen)
	val := in.memRange("storage_write value", vptr, vlen)
	in.charge(gasStorageWrite + 10*uint64(klen+vlen))
	// The Host owns what it is given: copies, not views of memory.
	buf := make([]byte, klen+vlen)
	copy(buf, key)
	copy(buf[klen:], val)
	if err := in.host.StorageWrite(buf[:klen:klen], buf[klen:]); err != nil {
		in.internal(err)
	}
}

func hostStorageDelete(in *instance, s []uint64) {
	kptr, klen := u32(s[0]), u32(s[1])
	key := in.keyArg("storage_delete", kptr, klen)
	in.charge(gasStorageDel + uint64(klen))
	if err := in.host.StorageDelete(append([]byte(nil), key...)); err != nil {
		in.internal(err)
	}
}

func hostCaller(in *instance, s []uint64) {
	dst := in.memRange("caller", u32(s[0]), core.AddressSize)
	in.charge(gasEnv)
	a := in.host.Caller()
	copy(dst, a[:])
}

func hostSelf(in *instance, s []uint64) {
	dst := in.memRange("self_address", u32(s[0]), core.AddressSize)
	in.charge(gasEnv)
	a := in.host.Self()
	copy(dst, a[:])
}

func hostValue(in *instance, s []uint64) {
	in.charge(gasEnv)
	s[0] = in.host.Value()
}

func hostBlockHeight(in *instance, s []uint64) {
	in.charge(gasEnv)
	s[0] = in.host.BlockHeight()
}

func hostBlockTime(in *instance, s []uint64) {
	in.charge(gasEnv)
	s[0] = in.host.BlockTime()
}

func (in *instance) address(fn string, ptr uint32) core.Address {
	var a core.Address
	copy(a[:], in.memRange(fn+" address", ptr, core.AddressSize))
	return a
}

func (in *instance) assetID(fn string, ptr uint32) core.AssetID {
	var id core.AssetID
	copy(id[:], in.memRange(fn+" asset", ptr, core.AssetIDSize))
	return id
}

func hostBalance(in *instance, s []uint64) {
	a := in.address("balance", u32(s[0]))
	in.charge(gasBalance)
	v, err := in.host.Balance(a)
	if err != nil {
		in.internal(err)
	}
	s[0] = v
}

func hostAssetBalance(in *instance, s []uint64) {
	id := in.assetID("asset_balance", u32(s[0]))
	a := in.address("asset_balance", u32(s[1]))
	in.charge(gasAssetBalance)
	v, err := in.host.AssetBalance(id, a)
	if err != nil {
		in.internal(err)
	}
	s[0] = v
}

// transferResult maps a Host transfer error to the ABI error number, or
// stops the run if it is not a rule of the state.
func (in *instance) transferResult(err error) uint64 {
	errno, ok := TransferErrno(err)
	if !ok {
		in.internal(err)
	}
	return uint64(uint32(errno))
}

func hostTransfer(in *instance, s []uint64) {
	to := in.address("transfer", u32(s[0]))
	amount := s[1]
	in.charge(gasTransfer)
	if amount > maxAmount { // negative as i64, or above 2^53 - 1
		s[0] = ErrnoInvalidAmount
		return
	}
	s[0] = in.transferResult(in.host.Transfer(to, amount))
}

func hostAssetTransfer(in *instance, s []uint64) {
	id := in.assetID("asset_transfer", u32(s[0]))
	to := in.address("asset_transfer", u32(s[1]))
	amount := s[2]
	in.charge(gasTransfer)
	if amount > maxAmount {
		s[0] = ErrnoInvalidAmount
		return
	}
	s[0] = in.transferResult(in.host.AssetTransfer(id, to, amount))
}

func hostEmit(in *instance, s []uint64) {
	tptr, tlen, dptr, dlen := u32(s[0]), u32(s[1]), u32(s[2]), u32(s[3])
	if tlen < 1 || tlen > MaxTopicBytes {
		in.trap("emit_event: topic length %d, want 1 to %d", tlen, MaxTopicBytes)
	}
	if dlen > MaxEventData {
		in.trap("emit_event: data length %d above %d", dlen, MaxEventData)
	}
	if in.events >= MaxEvents {
		in.trap("emit_event: more than %d events", MaxEvents)
	}
	topic := in.memRange("emit_event topic", tptr, tlen)
	data := in.memRange("emit_event data", dptr, dlen)
	in.charge(gasEmit + 2*uint64(tlen+dlen))
	buf := make([]byte, tlen+dlen)
	copy(buf, topic)
	copy(buf[tlen:], data)
	if err := in.host.Emit(buf[:tlen:tlen], buf[tlen:]); err != nil {
		in.internal(err)
	}
	in.events++
}

func hostSHA256(in *instance, s []uint64) {
	ptr, n, out := u32(s[0]), u32(s[1]), u32(s[2])
	src := in.memRange("sha256", ptr, n)
	dst := in.memRange("sha256 out", out, sha256.Size)
	in.charge(gasSHA256 + uint64(n)/8)
	sum := sha256.Sum256(src)
	copy(dst, sum[:])
}

func hostAbort(in *instance, s []uint64) {
	ptr, n := u32(s[0]), u32(s[1])
	if n > MaxAbortMessage {
		in.trap("abort: message length %d above %d", n, MaxAbortMessage)
	}
	msg := in.memRange("abort", ptr, n)
	in.charge(gasAbort)
	panic(&fault{core.CodeAborted, strings.ToValidUTF8(string(msg), "\uFFFD")})
}
