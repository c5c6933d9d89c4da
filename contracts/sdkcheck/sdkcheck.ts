// sdkcheck: calls every host function through the AssemblyScript SDK, for
// the conformance test in examples_test.go (not an example; built to
// testdata/sdkcheck_as.wasm). sdkcheck.c does the same through cairn.h.
//
// call: method byte, then:
//   01 echo            data...                 returns data
//   02 storage set/get klen u8 | key | value... returns the value read back
//   03 storage delete  key...                  returns has u8 | get-is-null u8 (after the delete)
//   04 u64 storage     v u64                   stores v at "u", returns what is read + 1
//   05 context         -                       returns caller | self | value u64 | height u64 | time u64
//   06 balance         addr (20)               returns u64
//   07 transfer        to (20) | amount u64    returns the error number, u8
//   08 asset_balance   asset (20) | addr (20)  returns u64
//   09 asset_transfer  asset | to | amount u64 returns the error number, u8
//   0a sha256          data...                 returns 32 bytes
//   0b emit            tlen u8 | topic | data...
//   0c abort           message (UTF-8)...
// AssemblyScript only:
//   0d throw new Error("thrown by the contract")
//   0e an index out of range
//   0f allocate        kib u32                 allocates kib KiB in 1 KiB arrays, returns their count u32

import {
  Address, Reader, Writer, assetBalanceOf, assetTransfer, balanceOf,
  blockHeight, blockTime, caller, emit, fail, input, requireNoValue,
  returnU64, selfAddress, setReturn, sha256, storageDelete, storageGet,
  storageGetU64, storageHas, storageSet, storageSetU64, transfer, utf8, value,
} from "../sdk/cairn";

export function call(): void {
  let r = new Reader(input());
  let m = r.u8("method");
  if (m == 0x01) {
    setReturn(r.rest());
  } else if (m == 0x02) {
    let k = r.bytes(<i32>r.u8("klen"), "key");
    storageSet(k, r.rest());
    if (!storageHas(k)) fail("written key is absent");
    let v = storageGet(k);
    if (v === null) fail("written key reads as null");
    else setReturn(v);
  } else if (m == 0x03) {
    let k = r.rest();
    storageDelete(k);
    setReturn(new Writer(2).u8(storageHas(k) ? 1 : 0).u8(storageGet(k) === null ? 1 : 0).finish());
  } else if (m == 0x04) {
    let v = r.u64("v");
    r.end();
    storageSetU64(utf8("u"), v);
    returnU64(storageGetU64(utf8("u")) + 1);
  } else if (m == 0x05) {
    r.end();
    setReturn(new Writer(64).address(caller()).address(selfAddress())
      .u64(<u64>value()).u64(<u64>blockHeight()).u64(<u64>blockTime()).finish());
  } else if (m == 0x06) {
    let a = r.address();
    r.end();
    returnU64(<u64>balanceOf(a));
  } else if (m == 0x07) {
    let to = r.address("to");
    let amount = <i64>r.u64("amount");
    r.end();
    setReturn(new Writer(1).u8(<u8>transfer(to, amount)).finish());
  } else if (m == 0x08) {
    let asset = r.bytes(20, "asset");
    let a = r.address();
    r.end();
    returnU64(<u64>assetBalanceOf(asset, a));
  } else if (m == 0x09) {
    let asset = r.bytes(20, "asset");
    let to = r.address("to");
    let amount = <i64>r.u64("amount");
    r.end();
    setReturn(new Writer(1).u8(<u8>assetTransfer(asset, to, amount)).finish());
  } else if (m == 0x0a) {
    setReturn(sha256(r.rest()));
  } else if (m == 0x0b) {
    let topic = r.bytes(<i32>r.u8("tlen"), "topic");
    emit(String.UTF8.decodeUnsafe(topic.dataStart, topic.length), r.rest());
  } else if (m == 0x0c) {
    let msg = r.rest();
    fail(String.UTF8.decodeUnsafe(msg.dataStart, msg.length));
  } else if (m == 0x0d) {
    throw new Error("thrown by the contract");
  } else if (m == 0x0e) {
    let a = new Uint8Array(1);
    let i = <i32>r.u8("index");
    setReturn(new Writer(1).u8(a[i]).finish());
  } else if (m == 0x0f) {
    let kib = r.u32("kib");
    let n: u32 = 0;
    for (let i: u32 = 0; i < kib; i++) {
      let b = new Uint8Array(1024);
      b[1023] = 1;
      n += b[1023];
    }
    setReturn(new Writer(4).u32(n).finish());
  } else {
    requireNoValue();
    fail("unknown method");
  }
}
