;; Host ABI conformance: call reads its input to memory 0 and performs one
;; host call with raw arguments taken from the input, then returns memory
;; [rptr, rptr+rlen) with set_return (unless the op was set_return).
;;
;; Input layout (little-endian): 0 op u8, 4 a u32, 8 b u32, 12 c u32,
;; 16 d u32, 24 e i64, 32 rptr u32, 36 rlen u32, 64.. payload.
;; The result of a host function with a result is stored as i64 at 0xF000.
(module
  (import "env" "input" (func $input (param i32 i32) (result i32)))
  (import "env" "set_return" (func $set_return (param i32 i32)))
  (import "env" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "env" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "env" "storage_delete" (func $storage_delete (param i32 i32)))
  (import "env" "caller" (func $caller (param i32)))
  (import "env" "self_address" (func $self_address (param i32)))
  (import "env" "value" (func $value (result i64)))
  (import "env" "block_height" (func $block_height (result i64)))
  (import "env" "block_time" (func $block_time (result i64)))
  (import "env" "balance" (func $balance (param i32) (result i64)))
  (import "env" "asset_balance" (func $asset_balance (param i32 i32) (result i64)))
  (import "env" "transfer" (func $transfer (param i32 i64) (result i32)))
  (import "env" "asset_transfer" (func $asset_transfer (param i32 i32 i64) (result i32)))
  (import "env" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
  (import "env" "sha256" (func $sha256 (param i32 i32 i32)))
  (import "env" "abort" (func $abort (param i32 i32)))
  (memory (export "memory") 1)

  (func $res32 (param i32) (i64.store (i32.const 0xF000) (i64.extend_i32_s (local.get 0))))
  (func $res64 (param i64) (i64.store (i32.const 0xF000) (local.get 0)))

  (func $recurse (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $recurse (i32.sub (local.get 0) (i32.const 1)))))))

  (func (export "call")
    (local $op i32) (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i64) (local $i i64)
    (drop (call $input (i32.const 0) (i32.const 0x8000)))
    (local.set $op (i32.load8_u (i32.const 0)))
    (local.set $a (i32.load (i32.const 4)))
    (local.set $b (i32.load (i32.const 8)))
    (local.set $c (i32.load (i32.const 12)))
    (local.set $d (i32.load (i32.const 16)))
    (local.set $e (i64.load (i32.const 24)))
    (block $done
      (block $b21 (block $b20 (block $b19 (block $b18 (block $b17 (block $b16 (block $b15 (block $b14 (block $b13 (block $b12
      (block $b11 (block $b10 (block $b9 (block $b8 (block $b7 (block $b6 (block $b5 (block $b4
      (block $b3 (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b8 $b9 $b10 $b11 $b12 $b13 $b14 $b15 $b16 $b17 $b18 $b19 $b20 $b21 $done
          (local.get $op)))
      ;; 0 input
      (call $res32 (call $input (local.get $a) (local.get $b))) (br $done))
      ;; 1 set_return (and return: no final set_return)
      (call $set_return (local.get $a) (local.get $b)) (return))
      ;; 2 storage_read
      (call $res32 (call $storage_read (local.get $a) (local.get $b) (local.get $c) (local.get $d))) (br $done))
      ;; 3 storage_write
      (call $storage_write (local.get $a) (local.get $b) (local.get $c) (local.get $d)) (br $done))
      ;; 4 storage_delete
      (call $storage_delete (local.get $a) (local.get $b)) (br $done))
      ;; 5 caller
      (call $caller (local.get $a)) (br $done))
      ;; 6 self_address
      (call $self_address (local.get $a)) (br $done))
      ;; 7 value
      (call $res64 (call $value)) (br $done))
      ;; 8 block_height
      (call $res64 (call $block_height)) (br $done))
      ;; 9 block_time
      (call $res64 (call $block_time)) (br $done))
      ;; 10 balance
      (call $res64 (call $balance (local.get $a))) (br $done))
      ;; 11 asset_balance
      (call $res64 (call $asset_balance (local.get $a) (local.get $b))) (br $done))
      ;; 12 transfer
      (call $res32 (call $transfer (local.get $a) (local.get $e))) (br $done))
      ;; 13 asset_transfer
      (call $res32 (call $asset_transfer (local.get $a) (local.get $b) (local.get $e))) (br $done))
      ;; 14 emit_event
      (call $emit_event (local.get $a) (local.get $b) (local.get $c) (local.get $d)) (br $done))
      ;; 15 sha256
      (call $sha256 (local.get $a) (local.get $b) (local.get $c)) (br $done))
      ;; 16 abort
      (call $abort (local.get $a) (local.get $b)) (br $done))
      ;; 17 emit_event e times
      (block $out (loop $l
        (br_if $out (i64.ge_u (local.get $i) (local.get $e)))
        (call $emit_event (local.get $a) (local.get $b) (local.get $c) (local.get $d))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $l))) (br $done))
      ;; 18 trap: unreachable
      unreachable)
      ;; 19 recurse a levels, result stored
      (call $res32 (call $recurse (local.get $a))) (br $done))
      ;; 20 trap: load at a (out of bounds if above memory)
      (call $res32 (i32.load (local.get $a))) (br $done))
      ;; 21 trap: 1 / a (divide by zero if a is 0)
      (call $res32 (i32.div_u (i32.const 1) (local.get $a))) (br $done))
    (call $set_return (i32.load (i32.const 32)) (i32.load (i32.const 36))))
)
