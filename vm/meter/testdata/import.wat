;; An import outside the host ABI is refused at deploy (import_not_allowed).
(module
  (import "env" "launch_missiles" (func $launch (param i32)))
  (memory (export "memory") 1)
  (func (export "call")
    (call $launch (i32.const 1))))
