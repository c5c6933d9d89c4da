;; Deploy error bad_entry_point: "call" takes a parameter.
(module
  (memory (export "memory") 1)
  (func (export "call") (param i32)))
