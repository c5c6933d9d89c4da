;; memory.fill of a whole page (costs 1 + 65536/32 = 2,049 gas): with less
;; gas it stops before touching memory.
(module
  (memory (export "memory") 1)
  (func (export "call")
    (memory.fill (i32.const 0) (i32.const 0xff) (i32.const 65536))))
