// registry: a supply-chain registry of items, their owners and the
// history of each (AssemblyScript example).
//
// Integers are big-endian; addresses are 20 bytes. An item id is 1 to 32
// bytes of anything (e.g. the ASCII of "LOT-1", hex 4c4f542d31); it comes
// LAST in every input, after the fixed fields, and runs to the input's end.
// A tag is 16 bytes (e.g. ASCII, zero-padded on the right).
//
// init: none (the contract has no init).
//
// call: the first byte is the method.
//   01 register  01 | item_id                                 1 + 1..32
//        by anyone: the caller becomes the owner. Aborts "item exists" if
//        the id is taken.
//   02 handover  02 | to (20) | item_id                       21 + 1..32
//        by the owner only: `to` becomes the owner.
//   03 attest    03 | tag (16) | data_hash (32) | item_id     49 + 1..32
//        by the owner only: records a tag and a hash of off-chain data
//        (a document, a sensor log) against the item.
//   04 history   04 | start u32 (4) | item_id                 5 + 1..32
//        returns the steps of the item from index `start` (00000000 for
//        all): count u32 (4) | steps..., each step being
//          kind u8 (1) | actor (20) | height u64 (8) | payload
//        where kind 01 registered (payload empty; actor = first owner),
//                   02 handed_over (payload: to (20); actor = old owner),
//                   03 attested (payload: tag (16) | data_hash (32)).
//        `count` is the item's total number of steps; at most 200 steps
//        are returned per call (16 KiB return limit): page with `start`.
//   05 owner_of  05 | item_id                                 1 + 1..32
//        returns the owner (20 bytes).
//   Unknown items abort "no such item"; no method takes coins.
//
// storage:
//   "o" | item_id                 owner (20)
//   "n" | item_id                 number of steps, u32
//   "h" | item_id | index u32     step `index`, encoded as in history
//
// events (the item id last, as in the inputs):
//   "registered"   owner (20) | item_id
//   "handed_over"  from (20) | to (20) | item_id
//   "attested"     owner (20) | tag (16) | data_hash (32) | item_id

import {
  Address, Reader, Writer, blockHeight, caller, emit, fail, input, key,
  requireNoValue, returnAddress, setReturn, storageGetAddress, storageGetU32,
  storageHas, storageSet, storageSetAddress, storageSetU32,
} from "../sdk/cairn";

const KEY_OWNER: u8 = 0x6f; // "o"
const KEY_COUNT: u8 = 0x6e; // "n"
const KEY_STEP: u8 = 0x68; // "h"

const METHOD_REGISTER: u8 = 0x01;
const METHOD_HANDOVER: u8 = 0x02;
const METHOD_ATTEST: u8 = 0x03;
const METHOD_HISTORY: u8 = 0x04;
const METHOD_OWNER_OF: u8 = 0x05;

const KIND_REGISTERED: u8 = 0x01;
const KIND_HANDED_OVER: u8 = 0x02;
const KIND_ATTESTED: u8 = 0x03;

const MAX_ITEM_ID: i32 = 32;
const TAG_LEN: i32 = 16;
const HASH_LEN: i32 = 32;
const STEP_HEAD: i32 = 1 + 20 + 8;
const MAX_STEP: i32 = STEP_HEAD + TAG_LEN + HASH_LEN;
const MAX_HISTORY_STEPS: u32 = 200; // 4 + 200 * 77 < 16 KiB

function itemId(r: Reader): Uint8Array {
  let id = r.rest();
  if (id.length < 1 || id.length > MAX_ITEM_ID) fail("bad input: item id must be 1 to 32 bytes");
  return id;
}

function ownerOf(ownerKey: Uint8Array): Address {
  let o = storageGetAddress(ownerKey);
  if (o === null) fail("no such item");
  return changetype<Address>(o);
}

// The key of step i of an item: "h" | id | i u32. stepKey makes it with
// index 0; setStepIndex rewrites the index in place.
function stepKey(id: Uint8Array): Uint8Array {
  return key(KEY_STEP, id, new Uint8Array(4));
}

function setStepIndex(k: Uint8Array, i: u32): void {
  store<u32>(k.dataStart + <usize>(k.length - 4), bswap<u32>(i));
}

/** Starts a step: kind | actor | height; the caller appends the payload. */
function step(kind: u8, actor: Address): Writer {
  return new Writer(MAX_STEP).u8(kind).address(actor).u64(<u64>blockHeight());
}

/** Stores a step as the item's next one. */
function addStep(id: Uint8Array, w: Writer): void {
  let countKey = key(KEY_COUNT, id);
  let n = storageGetU32(countKey);
  let k = stepKey(id);
  setStepIndex(k, n);
  storageSet(k, w.finish());
  storageSetU32(countKey, n + 1);
}

function register(r: Reader): void {
  let id = itemId(r);
  let ownerKey = key(KEY_OWNER, id);
  if (storageHas(ownerKey)) fail("item exists");
  let owner = caller();
  storageSetAddress(ownerKey, owner);
  addStep(id, step(KIND_REGISTERED, owner));
  emit("registered", new Writer(20 + id.length).address(owner).bytes(id).finish());
}

function handover(r: Reader): void {
  let to = r.address("to");
  let id = itemId(r);
  let from = caller();
  let ownerKey = key(KEY_OWNER, id);
  if (!ownerOf(ownerKey).equals(from)) fail("only the owner can do this");
  storageSetAddress(ownerKey, to);
  addStep(id, step(KIND_HANDED_OVER, from).address(to));
  emit("handed_over", new Writer(40 + id.length).address(from).address(to).bytes(id).finish());
}

function attest(r: Reader): void {
  let tag = r.bytes(TAG_LEN, "tag");
  let hash = r.bytes(HASH_LEN, "data_hash");
  let id = itemId(r);
  let owner = caller();
  if (!ownerOf(key(KEY_OWNER, id)).equals(owner)) fail("only the owner can do this");
  addStep(id, step(KIND_ATTESTED, owner).bytes(tag).bytes(hash));
  emit("attested", new Writer(20 + TAG_LEN + HASH_LEN + id.length).address(owner).bytes(tag).bytes(hash).bytes(id).finish());
}

function history(r: Reader): void {
  let start = r.u32("start");
  let id = itemId(r);
  ownerOf(key(KEY_OWNER, id)); // aborts for an unknown item
  let n = storageGetU32(key(KEY_COUNT, id));
  let end = n;
  if (start > n) start = n;
  if (end - start > MAX_HISTORY_STEPS) end = start + MAX_HISTORY_STEPS;
  let w = new Writer(4 + <i32>(end - start) * MAX_STEP).u32(n);
  let k = stepKey(id);
  for (let i = start; i < end; i++) {
    setStepIndex(k, i);
    if (!w.stored(k)) fail("missing step");
  }
  setReturn(w.finish());
}

export function call(): void {
  requireNoValue();
  let r = new Reader(input());
  let method = r.u8("method");
  if (method == METHOD_REGISTER) register(r);
  else if (method == METHOD_HANDOVER) handover(r);
  else if (method == METHOD_ATTEST) attest(r);
  else if (method == METHOD_HISTORY) history(r);
  else if (method == METHOD_OWNER_OF) returnAddress(ownerOf(key(KEY_OWNER, itemId(r))));
  else fail("unknown method");
}
