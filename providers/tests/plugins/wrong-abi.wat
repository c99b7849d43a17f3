;; Test fixture: a module that speaks ABI version 2, which this host does not.
(module
  (memory (export "memory") 1)
  (func (export "augur_abi_version") (result i32) (i32.const 2))
  (func (export "augur_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "augur_describe") (result i64) (i64.const 0))
  (func (export "augur_step") (param i32 i32) (result i64) (i64.const 0)))
