;; Slow-block workloads (tests/devnet_slow_blocks.rs, examples/block_kinds.rs).
;;
;; `chase`: bound by memory latency, the worst time per gas a contract can buy (BENCHMARKS.md
;; §6). It grows its memory to the most a contract may have (64 pages, 4 MiB), writes a pointer
;; chain through every 64-byte line of it (line i holds the address of line
;; (20077·i + 12345) mod 65536: a full-period permutation, so the walk visits every line before
;; it repeats), then follows the chain for the argument's number of steps (borsh u32): each
;; load's address is the previous load's value, and no two consecutive lines are near.
;;
;; `spin`: the gas yardstick, a loop of `i64.add` on a local, for the argument's number of
;; iterations.
;;
;; Both succeed when their gas covers the steps, and stop with `OutOfGas` otherwise (an argument
;; of 0xFFFFFFFF spends any gas limit).
(module
  (import "host_v1" "input_read" (func $input_read (param i32)))
  (memory (export "memory") 1)
  (func (export "chase") (param $len i32) (result i32)
    (local $n i32) (local $i i32) (local $p i32)
    (call $input_read (i32.const 0))
    (local.set $n (i32.load (i32.const 0)))
    (if (i32.eq (memory.grow (i32.const 63)) (i32.const -1)) (then unreachable))
    (loop $write
      (i32.store
        (i32.shl (local.get $i) (i32.const 6))
        (i32.shl
          (i32.and
            (i32.add (i32.mul (local.get $i) (i32.const 20077)) (i32.const 12345))
            (i32.const 0xFFFF))
          (i32.const 6)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $write (i32.lt_u (local.get $i) (i32.const 65536))))
    (block $done
      (loop $chase
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $p (i32.load (local.get $p)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $chase)))
    ;; Where the walk ended, so that no load is dead code.
    (i32.store (i32.const 4) (local.get $p))
    (i32.const 0))
  (func (export "spin") (param $len i32) (result i32)
    (local $n i32) (local $x i64)
    (call $input_read (i32.const 0))
    (local.set $n (i32.load (i32.const 0)))
    (block $done
      (loop $spin
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i64.add (local.get $x) (i64.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $spin)))
    (i64.store (i32.const 8) (local.get $x))
    (i32.const 0)))
