;; A token: storage maps a 20-byte address to its balance (u64 LE).
;; init credits the deployer (caller) with 1e15 units.
;; call: input = to (20 bytes) ++ amount (u64 LE); moves amount from the
;; caller to to: read the caller's balance, check it, write it, read the
;; recipient's, check overflow, write it. Aborts "insufficient balance" or
;; "bad input".
(module
  (import "env" "input" (func $input (param i32 i32) (result i32)))
  (import "env" "caller" (func $caller (param i32)))
  (import "env" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "env" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "env" "abort" (func $abort (param i32 i32)))
  (memory (export "memory") 1)
  ;; 0..20 caller, 32..52 to, 52..60 amount, 64..72 balance buffer
  (data (i32.const 128) "insufficient balance")
  (data (i32.const 160) "bad input")

  (func $get (param $k i32) (result i64)
    (i64.store (i32.const 64) (i64.const 0))
    (drop (call $storage_read (local.get $k) (i32.const 20) (i32.const 64) (i32.const 8)))
    (i64.load (i32.const 64)))

  (func $put (param $k i32) (param $v i64)
    (i64.store (i32.const 64) (local.get $v))
    (call $storage_write (local.get $k) (i32.const 20) (i32.const 64) (i32.const 8)))

  (func (export "init")
    (call $caller (i32.const 0))
    (call $put (i32.const 0) (i64.const 1000000000000000)))

  (func (export "call")
    (local $amt i64) (local $bal i64) (local $rb i64)
    (if (i32.ne (call $input (i32.const 32) (i32.const 28)) (i32.const 28))
      (then (call $abort (i32.const 160) (i32.const 9))))
    (call $caller (i32.const 0))
    (local.set $amt (i64.load (i32.const 52)))
    (local.set $bal (call $get (i32.const 0)))
    (if (i64.lt_u (local.get $bal) (local.get $amt))
      (then (call $abort (i32.const 128) (i32.const 20))))
    (call $put (i32.const 0) (i64.sub (local.get $bal) (local.get $amt)))
    (local.set $rb (i64.add (call $get (i32.const 32)) (local.get $amt)))
    (if (i64.lt_u (local.get $rb) (local.get $amt))
      (then (call $abort (i32.const 160) (i32.const 9))))
    (call $put (i32.const 32) (local.get $rb)))
)
