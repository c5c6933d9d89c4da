;; Unbounded recursion: stops at call depth 1024 (the depth global is left
;; at 1025), on every engine.
(module
  (memory (export "memory") 1)
  (global $n (mut i32) (i32.const 0))
  (func $r
    (global.set $n (i32.add (global.get $n) (i32.const 1)))
    (call $r))
  (func (export "call") (call $r)))
