// Cairn contract SDK for AssemblyScript.
//
// The host ABI (module "env") is described in docs/contracts.md; every
// function of it has a raw binding below, in the namespace `env`, and a
// typed helper beside it. Build a contract with build.sh, which runs (from
// contracts/)
//
//   asc NAME/NAME.ts --runtime stub -O3 --noAssert \
//       --use abort=sdk/cairn/abortHandler \
//       --use __alloc=sdk/alloc/alloc --use __realloc=sdk/alloc/realloc \
//       --use __free=sdk/alloc/free --use __reset=sdk/alloc/reset \
//       --use __new=sdk/alloc/newObject --use __renew=sdk/alloc/renewObject \
//       -o NAME.wasm
//
// `--use abort=...` redirects AssemblyScript's own
// `abort(msg, file, line, col)` (called by `throw`, failed bounds checks
// and the like) to abortHandler, which calls the host's
// `env.abort(ptr, len)` with the message: the module then imports only
// the Cairn ABI. The other `--use` flags swap the stub runtime's allocator
// for sdk/alloc.ts, which needs no start function (see there).

// Rules the SDK keeps and a contract must keep too (docs/contracts.md):
//   - no floats (no f32/f64, no `number` that is not an integer type, no
//     Math.*, no toString of floats);
//   - no top-level statements or globals initialised at run time (they
//     would make AssemblyScript emit a start function): keep globals
//     constant, or use memory.data for static buffers;
//   - export `call` (and `init` if the contract needs it), nothing else.
//
// Integers in inputs, return values, storage and events are big-endian:
// they read left to right as hex on the command line.

import "./alloc";

// ---------------------------------------------------------------------------
// Raw host bindings (docs/contracts.md, "Host ABI").

export namespace env {
  // @ts-ignore: decorator
  @external("env", "input")
  export declare function input(ptr: usize, cap: i32): i32;
  // @ts-ignore: decorator
  @external("env", "set_return")
  export declare function set_return(ptr: usize, len: i32): void;
  // @ts-ignore: decorator
  @external("env", "storage_read")
  export declare function storage_read(kptr: usize, klen: i32, vptr: usize, vcap: i32): i32;
  // @ts-ignore: decorator
  @external("env", "storage_write")
  export declare function storage_write(kptr: usize, klen: i32, vptr: usize, vlen: i32): void;
  // @ts-ignore: decorator
  @external("env", "storage_delete")
  export declare function storage_delete(kptr: usize, klen: i32): void;
  // @ts-ignore: decorator
  @external("env", "caller")
  export declare function caller(ptr: usize): void;
  // @ts-ignore: decorator
  @external("env", "self_address")
  export declare function self_address(ptr: usize): void;
  // @ts-ignore: decorator
  @external("env", "value")
  export declare function value(): i64;
  // @ts-ignore: decorator
  @external("env", "block_height")
  export declare function block_height(): i64;
  // @ts-ignore: decorator
  @external("env", "block_time")
  export declare function block_time(): i64;
  // @ts-ignore: decorator
  @external("env", "balance")
  export declare function balance(addr: usize): i64;
  // @ts-ignore: decorator
  @external("env", "asset_balance")
  export declare function asset_balance(asset: usize, addr: usize): i64;
  // @ts-ignore: decorator
  @external("env", "transfer")
  export declare function transfer(to: usize, amount: i64): i32;
  // @ts-ignore: decorator
  @external("env", "asset_transfer")
  export declare function asset_transfer(asset: usize, to: usize, amount: i64): i32;
  // @ts-ignore: decorator
  @external("env", "emit_event")
  export declare function emit_event(tptr: usize, tlen: i32, dptr: usize, dlen: i32): void;
  // @ts-ignore: decorator
  @external("env", "sha256")
  export declare function sha256(ptr: usize, len: i32, out: usize): void;
  // @ts-ignore: decorator
  @external("env", "abort")
  export declare function abort(ptr: usize, len: i32): void;
}

// ---------------------------------------------------------------------------
// Limits and error numbers.

export const ADDRESS_LEN: i32 = 20;
export const ASSET_ID_LEN: i32 = 20;
export const HASH_LEN: i32 = 32;
/** Largest amount the host accepts (2^53 - 1 base units). */
export const MAX_AMOUNT: i64 = 9007199254740991;
export const MAX_RETURN: i32 = 16384;
export const MAX_KEY: i32 = 64;
export const MAX_VALUE: i32 = 8192;
export const MAX_TOPIC: i32 = 32;
export const MAX_EVENT_DATA: i32 = 1024;
export const MAX_ABORT_MESSAGE: i32 = 256;

/** Error numbers of transfer and assetTransfer. */
export const TRANSFER_OK: i32 = 0;
export const ERR_INSUFFICIENT_FUNDS: i32 = 1;
export const ERR_INVALID_AMOUNT: i32 = 2;
export const ERR_ASSET_NOT_FOUND: i32 = 3;
export const ERR_FROZEN: i32 = 4;
export const ERR_NOT_PERMITTED: i32 = 5;

// ---------------------------------------------------------------------------
// Aborting.

// Static buffer for abort messages: up to 256 UTF-16 units encode to at
// most 768 bytes; the message sent is cut to 256 bytes.
const ABORT_BUF: usize = memory.data(768);

/**
 * Stops the call as failed with `message` (UTF-8, cut to 256 bytes) as the
 * receipt's error. Nothing the call did stays. Never returns.
 */
export function fail(message: string): void {
  let units = message.length;
  if (units > MAX_ABORT_MESSAGE) units = MAX_ABORT_MESSAGE;
  let n = <i32>String.UTF8.encodeUnsafe(changetype<usize>(message), units, ABORT_BUF);
  if (n > MAX_ABORT_MESSAGE) {
    n = MAX_ABORT_MESSAGE;
    // do not cut a UTF-8 sequence in two
    while (n > 0 && (load<u8>(ABORT_BUF + <usize>n) & 0xC0) == 0x80) n--;
  }
  env.abort(ABORT_BUF, n);
  unreachable();
}

/** Aborts the call with `message` unless `condition` holds. */
export function require(condition: bool, message: string): void {
  if (!condition) fail(message);
}

/**
 * Target of `--use abort=sdk/cairn/abortHandler`: AssemblyScript calls
 * it for `throw` and failed bounds checks. Only the
 * message is kept (the file and position would cost gas and bytes).
 */
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  if (message === null) fail("abort");
  else fail(changetype<string>(message));
}

/** Aborts unless the call carries no coins (for methods that take none). */
export function requireNoValue(): void {
  if (env.value() != 0) fail("this method does not take coins");
}

// ---------------------------------------------------------------------------
// Addresses.

/**
 * A 20-byte account or contract address. Its bytes are the object itself
 * (three fields, 20 bytes in a row), so `ptr` goes straight to the host
 * and an address costs one allocation.
 */
@final
export class Address {
  private w0: u64 = 0;
  private w1: u64 = 0;
  private w2: u32 = 0;

  /** Where the 20 bytes are. */
  get ptr(): usize {
    return changetype<usize>(this);
  }

  /** The all-zero address (used as "nobody", e.g. the `from` of a mint). */
  static zero(): Address {
    return new Address();
  }

  /** A copy of the 20 bytes at `ptr`. */
  static fromPtr(ptr: usize): Address {
    let a = new Address();
    memory.copy(a.ptr, ptr, ADDRESS_LEN);
    return a;
  }

  /** A copy of 20 bytes of `src` from `offset`. */
  static from(src: Uint8Array, offset: i32 = 0): Address {
    if (offset < 0 || offset + ADDRESS_LEN > src.length) fail("address out of range");
    return Address.fromPtr(src.dataStart + <usize>offset);
  }

  equals(other: Address): bool {
    return this.w0 == other.w0 && this.w1 == other.w1 && this.w2 == other.w2;
  }

  isZero(): bool {
    return (this.w0 | this.w1 | <u64>this.w2) == 0;
  }

  /** The 20 bytes, copied. */
  toBytes(): Uint8Array {
    let b = new Uint8Array(ADDRESS_LEN);
    memory.copy(b.dataStart, this.ptr, ADDRESS_LEN);
    return b;
  }
}

// ---------------------------------------------------------------------------
// The call's context.

/** The call's input, whole. */
export function input(): Uint8Array {
  let n = env.input(0, 0);
  let b = new Uint8Array(n);
  if (n > 0) env.input(b.dataStart, n);
  return b;
}

/** The tx's sender (for init: the deployer). */
export function caller(): Address {
  let a = new Address();
  env.caller(a.ptr);
  return a;
}

/** This contract's address. */
export function selfAddress(): Address {
  let a = new Address();
  env.self_address(a.ptr);
  return a;
}

/** The coins sent with this call, already credited to the contract. */
export function value(): i64 {
  return env.value();
}

/** The height of the block holding the tx. */
export function blockHeight(): i64 {
  return env.block_height();
}

/** That block's timestamp, unix milliseconds. */
export function blockTime(): i64 {
  return env.block_time();
}

// ---------------------------------------------------------------------------
// Coins and assets.

export function balanceOf(addr: Address): i64 {
  return env.balance(addr.ptr);
}

export function assetBalanceOf(asset: Uint8Array, addr: Address): i64 {
  if (asset.length != ASSET_ID_LEN) fail("asset id must be 20 bytes");
  return env.asset_balance(asset.dataStart, addr.ptr);
}

/** Moves coins from the contract to `to`; returns 0 or an error number. */
export function transfer(to: Address, amount: i64): i32 {
  return env.transfer(to.ptr, amount);
}

/** Moves units of an asset from the contract to `to`; 0 or an error number. */
export function assetTransfer(asset: Uint8Array, to: Address, amount: i64): i32 {
  if (asset.length != ASSET_ID_LEN) fail("asset id must be 20 bytes");
  return env.asset_transfer(asset.dataStart, to.ptr, amount);
}

// ---------------------------------------------------------------------------
// Storage.
//
// Every read goes through one static buffer of the largest value (8 KiB),
// so a value costs one host call whatever its size. Build keys with key()
// or addressKey(), once per key: each build allocates.

const VALUE_BUF: usize = memory.data(MAX_VALUE);

/** The value of `key`, or null if absent. */
export function storageGet(key: Uint8Array): Uint8Array | null {
  let n = env.storage_read(key.dataStart, key.length, VALUE_BUF, MAX_VALUE);
  if (n < 0) return null;
  let v = new Uint8Array(n);
  memory.copy(v.dataStart, VALUE_BUF, <usize>n);
  return v;
}

/** Whether `key` is set. */
export function storageHas(key: Uint8Array): bool {
  return env.storage_read(key.dataStart, key.length, 0, 0) >= 0;
}

/** Sets `key` (1-64 bytes) to `value` (0-8 KiB; an empty value deletes the key). */
export function storageSet(key: Uint8Array, value: Uint8Array): void {
  env.storage_write(key.dataStart, key.length, value.dataStart, value.length);
}

export function storageDelete(key: Uint8Array): void {
  env.storage_delete(key.dataStart, key.length);
}

/** The u64 at `key` (8 bytes big-endian), or 0 if absent. */
export function storageGetU64(key: Uint8Array): u64 {
  let n = env.storage_read(key.dataStart, key.length, VALUE_BUF, 8);
  if (n < 0) return 0;
  if (n != 8) fail("stored value is not a u64");
  return bswap<u64>(load<u64>(VALUE_BUF));
}

/** Stores `v` at `key` as 8 bytes big-endian. */
export function storageSetU64(key: Uint8Array, v: u64): void {
  store<u64>(VALUE_BUF, bswap<u64>(v));
  env.storage_write(key.dataStart, key.length, VALUE_BUF, 8);
}

/** The u32 at `key` (4 bytes big-endian), or 0 if absent. */
export function storageGetU32(key: Uint8Array): u32 {
  let n = env.storage_read(key.dataStart, key.length, VALUE_BUF, 4);
  if (n < 0) return 0;
  if (n != 4) fail("stored value is not a u32");
  return bswap<u32>(load<u32>(VALUE_BUF));
}

/** Stores `v` at `key` as 4 bytes big-endian. */
export function storageSetU32(key: Uint8Array, v: u32): void {
  store<u32>(VALUE_BUF, bswap<u32>(v));
  env.storage_write(key.dataStart, key.length, VALUE_BUF, 4);
}

/** The address at `key`, or null if absent. */
export function storageGetAddress(key: Uint8Array): Address | null {
  let n = env.storage_read(key.dataStart, key.length, VALUE_BUF, ADDRESS_LEN);
  if (n < 0) return null;
  if (n != ADDRESS_LEN) fail("stored value is not an address");
  return Address.fromPtr(VALUE_BUF);
}

/** Stores the 20 bytes of `a` at `key`. */
export function storageSetAddress(key: Uint8Array, a: Address): void {
  env.storage_write(key.dataStart, key.length, a.ptr, ADDRESS_LEN);
}

/** A storage key: one prefix byte followed by `part` and `part2` (64 bytes at most). */
export function key(prefix: u8, part: Uint8Array | null = null, part2: Uint8Array | null = null): Uint8Array {
  let n = 1;
  if (part !== null) n += part.length;
  if (part2 !== null) n += part2.length;
  if (n > MAX_KEY) fail("storage key too long");
  let k = new Uint8Array(n);
  let p = k.dataStart;
  store<u8>(p, prefix);
  p++;
  if (part !== null) {
    memory.copy(p, part.dataStart, part.length);
    p += <usize>part.length;
  }
  if (part2 !== null) {
    memory.copy(p, part2.dataStart, part2.length);
  }
  return k;
}

/** A storage key: one prefix byte followed by an address (21 bytes). */
export function addressKey(prefix: u8, a: Address): Uint8Array {
  let k = new Uint8Array(1 + ADDRESS_LEN);
  store<u8>(k.dataStart, prefix);
  memory.copy(k.dataStart + 1, a.ptr, ADDRESS_LEN);
  return k;
}

// ---------------------------------------------------------------------------
// Events, return value, hashing.

// Topics are encoded here: 32 UTF-16 units encode to at most 96 bytes.
const TOPIC_BUF: usize = memory.data(96);

/** Adds an event (topic 1-32 bytes of UTF-8, data 0-1 KiB) to the receipt. */
export function emit(topic: string, data: Uint8Array): void {
  let len = topic.length;
  if (len > MAX_TOPIC) fail("event topic too long");
  // ASCII, the usual case, in a tight loop (gas); anything else in full
  let src = changetype<usize>(topic);
  let c: u32 = 0;
  for (let i = 0; i < len; i++) {
    let u = <u32>load<u16>(src + (<usize>i << 1));
    c |= u;
    store<u8>(TOPIC_BUF + <usize>i, <u8>u);
  }
  let n = len;
  if (c >= 0x80) n = <i32>String.UTF8.encodeUnsafe(src, len, TOPIC_BUF);
  env.emit_event(TOPIC_BUF, n, data.dataStart, data.length);
}

/** Sets the call's return value (at most 16 KiB; the last call wins). */
export function setReturn(data: Uint8Array): void {
  env.set_return(data.dataStart, data.length);
}

/** Returns `v` as 8 bytes big-endian. */
export function returnU64(v: u64): void {
  store<u64>(VALUE_BUF, bswap<u64>(v));
  env.set_return(VALUE_BUF, 8);
}

/** Returns the 20 bytes of an address. */
export function returnAddress(a: Address): void {
  env.set_return(a.ptr, ADDRESS_LEN);
}

export function sha256(data: Uint8Array): Uint8Array {
  let out = new Uint8Array(HASH_LEN);
  env.sha256(data.dataStart, data.length, out.dataStart);
  return out;
}

/** The UTF-8 bytes of a string (for keys and data). */
export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

// ---------------------------------------------------------------------------
// Decoding and encoding fixed binary layouts.

/** Reads fields in order from bytes; aborts with "bad input: ..." on a short read. */
@final
export class Reader {
  private pos: i32 = 0;

  constructor(private buf: Uint8Array) {}

  get remaining(): i32 {
    return this.buf.length - this.pos;
  }

  // The address of the next n bytes, which it skips.
  private take(n: i32, what: string): usize {
    let pos = this.pos;
    if (n < 0 || pos + n > this.buf.length) fail("bad input: " + what + " missing");
    this.pos = pos + n;
    return this.buf.dataStart + <usize>pos;
  }

  u8(what: string = "byte"): u8 {
    return load<u8>(this.take(1, what));
  }

  u32(what: string = "u32"): u32 {
    return bswap<u32>(load<u32>(this.take(4, what)));
  }

  u64(what: string = "u64"): u64 {
    return bswap<u64>(load<u64>(this.take(8, what)));
  }

  /** An amount: a big-endian u64 that must be at most 2^53 - 1. */
  amount(what: string = "amount"): i64 {
    let v = this.u64(what);
    if (v > <u64>MAX_AMOUNT) fail("bad input: " + what + " above 2^53-1");
    return <i64>v;
  }

  address(what: string = "address"): Address {
    return Address.fromPtr(this.take(ADDRESS_LEN, what));
  }

  /** The next n bytes (a view, not a copy). */
  bytes(n: i32, what: string = "bytes"): Uint8Array {
    let pos = this.pos;
    this.take(n, what);
    return this.buf.subarray(pos, pos + n);
  }

  /** All bytes left (a view, not a copy). */
  rest(): Uint8Array {
    let pos = this.pos;
    this.pos = this.buf.length;
    return this.buf.subarray(pos);
  }

  /** Aborts unless every byte was read. */
  end(): void {
    if (this.pos != this.buf.length) fail("bad input: trailing bytes");
  }
}

/** Writes fields in order into a buffer of a fixed capacity. */
@final
export class Writer {
  private pos: i32 = 0;
  private buf: Uint8Array;

  constructor(capacity: i32) {
    this.buf = new Uint8Array(capacity);
  }

  // The address of the next n bytes, which it reserves.
  private room(n: i32): usize {
    let pos = this.pos;
    if (pos + n > this.buf.length) fail("writer overflow");
    this.pos = pos + n;
    return this.buf.dataStart + <usize>pos;
  }

  get length(): i32 {
    return this.pos;
  }

  u8(v: u8): Writer {
    store<u8>(this.room(1), v);
    return this;
  }

  u32(v: u32): Writer {
    store<u32>(this.room(4), bswap<u32>(v));
    return this;
  }

  u64(v: u64): Writer {
    store<u64>(this.room(8), bswap<u64>(v));
    return this;
  }

  address(a: Address): Writer {
    memory.copy(this.room(ADDRESS_LEN), a.ptr, ADDRESS_LEN);
    return this;
  }

  bytes(b: Uint8Array): Writer {
    memory.copy(this.room(b.length), b.dataStart, b.length);
    return this;
  }

  /**
   * Appends the value stored at `key`, read straight into the buffer;
   * returns false, appending nothing, if the key is absent.
   */
  stored(key: Uint8Array): bool {
    let cap = this.buf.length - this.pos;
    let n = env.storage_read(key.dataStart, key.length, this.buf.dataStart + <usize>this.pos, cap);
    if (n < 0) return false;
    if (n > cap) fail("writer overflow");
    this.pos += n;
    return true;
  }

  /** The bytes written (the buffer itself when full, else a view). */
  finish(): Uint8Array {
    if (this.pos == this.buf.length) return this.buf;
    return this.buf.subarray(0, this.pos);
  }
}
