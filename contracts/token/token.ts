// token: a fungible token (AssemblyScript example).
//
// Integers are big-endian; addresses are 20 bytes. Hex below is what goes
// after --init / --input on the command line.
//
// init (deploy):  supply u64                       8 bytes
//   Mints `supply` (0 to 2^53-1) to the deployer and emits a "transfer"
//   event from the zero address.
//
// call: the first byte is the method.
//   01 transfer      01 | to (20) | amount u64 (8)     29 bytes
//        moves `amount` of the caller's tokens to `to`; aborts with
//        "insufficient balance" if the caller has less. Amount 0 is allowed.
//   02 balance_of    02 | addr (20)                     21 bytes
//        returns the balance of `addr`: u64 (8 bytes)
//   03 total_supply  03                                 1 byte
//        returns the supply: u64 (8 bytes)
//   No method takes coins: a call with an amount aborts.
//
// storage:
//   "s"               total supply, u64
//   "b" | addr (20)   balance of addr, u64; deleted when it falls to 0
//
// events:
//   "transfer"        from (20) | to (20) | amount u64 (8)   48 bytes

import {
  Address, Reader, Writer, addressKey, caller, emit, fail, input, key,
  requireNoValue, returnU64, storageDelete, storageGetU64, storageSetU64,
} from "../sdk/cairn";

const KEY_SUPPLY: u8 = 0x73; // "s"
const KEY_BALANCE: u8 = 0x62; // "b"

const METHOD_TRANSFER: u8 = 0x01;
const METHOD_BALANCE_OF: u8 = 0x02;
const METHOD_TOTAL_SUPPLY: u8 = 0x03;

function balanceKey(a: Address): Uint8Array {
  return addressKey(KEY_BALANCE, a);
}

// Stores a balance; a zero balance is deleted.
function setBalance(k: Uint8Array, v: u64): void {
  if (v == 0) storageDelete(k);
  else storageSetU64(k, v);
}

function emitTransfer(from: Address, to: Address, amount: u64): void {
  let w = new Writer(48);
  w.address(from).address(to).u64(amount);
  emit("transfer", w.finish());
}

export function init(): void {
  requireNoValue();
  let r = new Reader(input());
  let supply = <u64>r.amount("supply");
  r.end();
  let owner = caller();
  storageSetU64(key(KEY_SUPPLY), supply);
  setBalance(balanceKey(owner), supply);
  emitTransfer(Address.zero(), owner, supply);
}

export function call(): void {
  requireNoValue();
  let r = new Reader(input());
  let method = r.u8("method");
  if (method == METHOD_TRANSFER) {
    let to = r.address("to");
    let amount = <u64>r.amount("amount");
    r.end();
    let from = caller();
    let fromKey = balanceKey(from);
    let fromBal = storageGetU64(fromKey);
    if (fromBal < amount) fail("insufficient balance");
    setBalance(fromKey, fromBal - amount);
    // read after the write, so a transfer to oneself changes nothing
    let toKey = balanceKey(to);
    setBalance(toKey, storageGetU64(toKey) + amount);
    emitTransfer(from, to, amount);
  } else if (method == METHOD_BALANCE_OF) {
    let a = r.address("addr");
    r.end();
    returnU64(storageGetU64(balanceKey(a)));
  } else if (method == METHOD_TOTAL_SUPPLY) {
    r.end();
    returnU64(storageGetU64(key(KEY_SUPPLY)));
  } else {
    fail("unknown method");
  }
}
