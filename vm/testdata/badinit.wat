;; Deploy error bad_entry_point: "init" returns a value.
(module
  (memory (export "memory") 1)
  (func (export "init") (result i32) (i32.const 0))
  (func (export "call")))
