;; A counter written by hand against host_v1 (see host-api/ABI.md).
;;   increment: argument = u64 (borsh, 8 bytes little-endian); adds it to the stored count,
;;              returns the new count (u64) and emits an event "incremented" with the new count.
;;   get:       no argument; returns the stored count (0 when never set).
;; Memory layout: [0..5) key "count", [16..24) value buffer, [32..40) argument buffer,
;;                [48..59) topic "incremented".
(module
  (import "host_v1" "input_read"    (func $input_read (param i32)))
  (import "host_v1" "output_write"  (func $output_write (param i32 i32)))
  (import "host_v1" "storage_read"  (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "host_v1" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "host_v1" "emit"          (func $emit (param i32 i32 i32 i32)))
  (import "host_v1" "abort"         (func $abort (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "count")
  (data (i32.const 48) "incremented")
  (data (i32.const 64) "argument must be 8 bytes")

  ;; Load the count into [16..24), zero when absent.
  (func $load
    (if (i32.eq (call $storage_read (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 8))
                (i32.const -1))
      (then (i64.store (i32.const 16) (i64.const 0)))))

  (func (export "increment") (param $len i32) (result i32)
    ;; A malformed argument is the caller's fault: status 2 with a message.
    (if (i32.ne (local.get $len) (i32.const 8))
      (then
        (call $output_write (i32.const 64) (i32.const 24))
        (return (i32.const 2))))
    (call $input_read (i32.const 32))
    (call $load)
    (i64.store (i32.const 16) (i64.add (i64.load (i32.const 16)) (i64.load (i32.const 32))))
    (call $storage_write (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 8))
    (call $emit (i32.const 48) (i32.const 11) (i32.const 16) (i32.const 8))
    (call $output_write (i32.const 16) (i32.const 8))
    (i32.const 0))

  (func (export "get") (param $len i32) (result i32)
    (call $load)
    (call $output_write (i32.const 16) (i32.const 8))
    (i32.const 0)))
