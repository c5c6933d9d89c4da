;; Deploy error no_call_export: no function "call".
(module
  (memory (export "memory") 1)
  (func (export "run")))
