;; Deploy error no_memory_export: the memory is not exported.
(module
  (memory 1)
  (func (export "call")))
