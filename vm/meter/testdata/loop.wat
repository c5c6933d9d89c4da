;; An infinite loop: stops out of gas with exactly the gas limit used.
(module
  (memory (export "memory") 1)
  (func (export "call")
    (loop $l (br $l))))
