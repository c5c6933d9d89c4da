;; forward: moves what the contract holds on. Input: op u8 (1 coins,
;; 2 asset) | to (20) | amount u64 little-endian | asset (20, op 2).
;; Returns the host function's error number as one byte (0: moved).
;; Rebuild: wat2wasm forward.wat -o forward.wasm
(module
  (import "env" "input" (func $input (param i32 i32) (result i32)))
  (import "env" "transfer" (func $transfer (param i32 i64) (result i32)))
  (import "env" "asset_transfer" (func $asset_transfer (param i32 i32 i64) (result i32)))
  (import "env" "set_return" (func $set_return (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "call")
    (drop (call $input (i32.const 0) (i32.const 64)))
    (if (i32.eq (i32.load8_u (i32.const 0)) (i32.const 1))
      (then (i32.store8 (i32.const 100) (call $transfer (i32.const 1) (i64.load (i32.const 21)))))
      (else (i32.store8 (i32.const 100) (call $asset_transfer (i32.const 29) (i32.const 1) (i64.load (i32.const 21))))))
    (call $set_return (i32.const 100) (i32.const 1)))
)
