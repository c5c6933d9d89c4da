;; Pool reset: every call must start from the initial memory and globals.
;; call increments the globals $g and $h, the byte at 100 (initially 5)
;; and writes a marker at 60000, then returns 16 bytes:
;; g i32, h i64 (low 4 bytes), mem[100] as i32, mem[60000] as i32.
;; input[0] == 1: trap after the changes; == 2: grow memory by a page
;; after the changes (then return normally).
(module
  (import "env" "input" (func $input (param i32 i32) (result i32)))
  (import "env" "set_return" (func $set_return (param i32 i32)))
  (memory (export "memory") 1 2)
  (global $k i32 (i32.const 9))
  (global $g (mut i32) (i32.const 7))
  (global $h (mut i64) (i64.const 1000))
  (data (i32.const 100) "\05")
  (func (export "call")
    (i32.store8 (i32.const 0) (i32.const 0))
    (drop (call $input (i32.const 0) (i32.const 1)))
    (global.set $g (i32.add (global.get $g) (global.get $k)))
    (global.set $h (i64.add (global.get $h) (i64.const 1)))
    (i32.store8 (i32.const 100) (i32.add (i32.load8_u (i32.const 100)) (i32.const 1)))
    (i32.store (i32.const 60000) (i32.add (i32.load (i32.const 60000)) (i32.const 1)))
    (if (i32.eq (i32.load8_u (i32.const 0)) (i32.const 1)) (then unreachable))
    (if (i32.eq (i32.load8_u (i32.const 0)) (i32.const 2)) (then (drop (memory.grow (i32.const 1)))))
    (i32.store (i32.const 200) (global.get $g))
    (i32.store (i32.const 204) (i32.wrap_i64 (global.get $h)))
    (i32.store (i32.const 208) (i32.load8_u (i32.const 100)))
    (i32.store (i32.const 212) (i32.load (i32.const 60000)))
    (call $set_return (i32.const 200) (i32.const 16)))
)
