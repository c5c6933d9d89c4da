;; A valid contract using most of what a contract may: loops, recursion,
;; br_table, call_indirect, multi-value blocks, sign extension, memory
;; loads/stores, memory.fill/copy/grow, mutable globals and a host import.
;; The behaviour tests run each export before and after instrumentation.
(module
  (import "env" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 4)
  (global $count (mut i32) (i32.const 0))
  (global $seed (mut i64) (i64.const 88172645463325252))
  (global $k i32 (i32.const 7))
  (table 3 funcref)
  (elem (i32.const 0) $double $square $fib)
  (type $un (func (param i64) (result i64)))
  (data (i32.const 100) "hello, cairn")

  (func $double (type $un) (i64.mul (local.get 0) (i64.const 2)))
  (func $square (type $un) (i64.mul (local.get 0) (local.get 0)))
  (func $fib (export "fib") (type $un)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (local.get 0))
      (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                     (call $fib (i64.sub (local.get 0) (i64.const 2)))))))

  (func (export "fact") (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $l
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $l)))
    (local.get $acc))

  (func (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (i32.const 40))

  (func (export "indirect") (param i32 i64) (result i64)
    (call_indirect (type $un) (local.get 1) (local.get 0)))

  (func (export "xorshift") (param $n i32) (result i64)
    (local $x i64)
    (local.set $x (global.get $seed))
    (loop $l
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l))
    (global.set $seed (local.get $x))
    (local.get $x))

  (func (export "mem") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (memory.fill (i32.const 1000) (i32.const 3) (local.get $n))
    (memory.copy (i32.const 5000) (i32.const 100) (i32.const 12))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 offset=2000 (local.get $i) (i32.add (i32.load8_u offset=1000 (local.get $i)) (local.get $i)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_s offset=2000 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (local.get $sum) (i32.load offset=5000 (i32.const 0))))

  (func (export "grow") (param i32) (result i32 i32)
    (memory.grow (local.get 0))
    (memory.size))

  (func (export "multi") (param i32 i32) (result i32)
    (block (result i32 i32) (local.get 0) (local.get 1))
    (i32.sub)
    (i32.extend8_s)
    (select (result i32) (i32.const 1) (i32.const 2) (global.get $k))
    (i32.add)
    (i32.div_s (i32.const 3))
    (i32.rem_u (i32.const 1000)))

  (func (export "read") (result i32)
    (call $storage_read (i32.const 100) (i32.const 5) (i32.const 200) (i32.const 16)))

  (func (export "trap") (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0)))

  (func (export "call")
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (drop (call $fib (i64.const 10))))
  (func (export "init")))
