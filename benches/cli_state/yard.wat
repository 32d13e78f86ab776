(module
  (memory (export "memory") 1)
  (func (export "run") (param i32) (result i32)
    (local $x i64)
    (local.set $x (i64.const 0x4000000000000001))
    (loop $l
      (local.set $x (i64.add (local.get $x) (i64.const 1)))
      (br_if $l (i64.ne (local.get $x) (i64.const 0x1234567))))
    (i32.const 0)))
