(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (import "host_v1" "storage_write" (func $write (param i32 i32 i32 i32)))
  (memory (export "memory") 2)
  ;; input: count[4] ‖ value_len[4] ‖ salt[8]; writes `count` values of `value_len` bytes
  ;; under the distinct keys i[4] ‖ salt[8]
  (func (export "run") (param i32) (result i32)
    (local $i i32)
    (call $input_read (i32.const 0))
    (i64.store (i32.const 68) (i64.load (i32.const 8)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 0))))
        (i32.store (i32.const 64) (local.get $i))
        (i32.store (i32.const 1024) (local.get $i))
        (call $write (i32.const 64) (i32.const 12) (i32.const 1024) (i32.load (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0)))
