;; init writes "deployed" to storage key "i"; call reads it back and
;; returns it.
(module
  (import "env" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "env" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "env" "set_return" (func $set_return (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "ideployed")
  (func (export "init")
    (call $storage_write (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 8)))
  (func (export "call")
    (call $set_return (i32.const 100)
      (call $storage_read (i32.const 0) (i32.const 1) (i32.const 100) (i32.const 64)))))
