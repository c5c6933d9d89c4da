;; INVALID on purpose: global.set 0 in a module with no globals. After a
;; naive instrumentation, global 0 would be the injected gas counter and the
;; contract could reset its own gas. Instrument must refuse it.
;; Assembled with: wat2wasm --no-check cheat.wat
(module
  (memory (export "memory") 1)
  (func (export "call")
    (global.set 0 (i64.const 0x7fffffffffffffff))
    (loop $l (br $l))))
