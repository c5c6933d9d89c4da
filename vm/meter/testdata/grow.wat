;; A memory.grow bomb: grows one page at a time, forever. Every request pays
;; 1,000 gas per page, granted or not.
(module
  (memory (export "memory") 1)
  (func (export "call")
    (loop $l
      (drop (memory.grow (i32.const 1)))
      (br $l))))
