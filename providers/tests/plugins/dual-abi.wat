;; Test fixture: a module whose highest ABI version is 2 but which also speaks version 1
;; (augur_abi_supports), so a v1 host loads it.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "{\"abi\":1,\"name\":\"test/dual-abi\",\"version\":\"2.0.0\"}")
  (func (export "augur_abi_version") (result i32) (i32.const 2))
  (func (export "augur_abi_supports") (param i32) (result i32)
    (i32.or (i32.eq (local.get 0) (i32.const 1)) (i32.eq (local.get 0) (i32.const 2))))
  (func (export "augur_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "augur_describe") (result i64) (i64.const 68719476786))
  (func (export "augur_step") (param i32 i32) (result i64) (i64.const 0)))
