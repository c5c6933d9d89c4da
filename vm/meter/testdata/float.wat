;; Floats are refused at deploy (float_not_allowed).
(module
  (memory (export "memory") 1)
  (func (export "call")
    (drop (f64.add (f64.const 0.1) (f64.const 0.2)))))
