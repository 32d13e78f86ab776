;; `nonces`: each account's next transaction nonce, the devnet's replay protection.
;; Written by hand against host_v1 (host-api/ABI.md) so that it needs no wasm toolchain; deployed
;; at genesis through the same validation as any deploy. See chain/nonces.rs.
;;
;;   use_nonce(account: Address, nonce: u64) -> Result<(), NonceError>   host-only
;;       `nonce` must be the account's next nonce; it then becomes nonce + 1.
;;   nonce_of(account: Address) -> u64                                    anyone
;;       the account's next nonce (0 for an account never seen).
;;
;; NonceError (borsh): ProtocolOnly = [0], BadNonce { expected: u64 } = [1, expected LE],
;; Exhausted = [2] (the nonce u64::MAX is never used, so the counter cannot wrap).
;; Storage: key = the account's 32 bytes, value = its next nonce (u64 LE).
;; Memory: [0..32) caller, [32..64) Address::PROTOCOL, [64..96) account, [96..104) nonce argument,
;;         [104..112) stored nonce, [112..121) error output.
(module
  (import "host_v1" "input_read"    (func $input_read (param i32)))
  (import "host_v1" "output_write"  (func $output_write (param i32 i32)))
  (import "host_v1" "storage_read"  (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "host_v1" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "host_v1" "caller"        (func $caller (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "sandbox-protocol-caller-v1\00\00\00\00\00\00")

  ;; The account's next nonce, read into [104..112) (0 when absent).
  (func $load
    (if (i32.eq (call $storage_read (i32.const 64) (i32.const 32) (i32.const 104) (i32.const 8))
                (i32.const -1))
      (then (i64.store (i32.const 104) (i64.const 0)))))

  ;; Whether the caller, written at [0..32), is Address::PROTOCOL at [32..64).
  (func $is_protocol (result i32)
    (i32.and
      (i32.and (i64.eq (i64.load (i32.const 0)) (i64.load (i32.const 32)))
               (i64.eq (i64.load (i32.const 8)) (i64.load (i32.const 40))))
      (i32.and (i64.eq (i64.load (i32.const 16)) (i64.load (i32.const 48)))
               (i64.eq (i64.load (i32.const 24)) (i64.load (i32.const 56))))))

  (func $fail (param $len i32) (result i32)
    (call $output_write (i32.const 112) (local.get $len))
    (i32.const 1))

  (func (export "use_nonce") (param $len i32) (result i32)
    (call $caller (i32.const 0))
    (if (i32.eqz (call $is_protocol))
      (then
        (i32.store8 (i32.const 112) (i32.const 0))
        (return (call $fail (i32.const 1)))))
    (if (i32.ne (local.get $len) (i32.const 40))
      (then (return (i32.const 2))))
    (call $input_read (i32.const 64))
    (call $load)
    (if (i64.ne (i64.load (i32.const 96)) (i64.load (i32.const 104)))
      (then
        (i32.store8 (i32.const 112) (i32.const 1))
        (i64.store (i32.const 113) (i64.load (i32.const 104)))
        (return (call $fail (i32.const 9)))))
    (if (i64.eq (i64.load (i32.const 104)) (i64.const -1))
      (then
        (i32.store8 (i32.const 112) (i32.const 2))
        (return (call $fail (i32.const 1)))))
    (i64.store (i32.const 104) (i64.add (i64.load (i32.const 104)) (i64.const 1)))
    (call $storage_write (i32.const 64) (i32.const 32) (i32.const 104) (i32.const 8))
    (i32.const 0))

  (func (export "nonce_of") (param $len i32) (result i32)
    (if (i32.ne (local.get $len) (i32.const 32))
      (then (return (i32.const 2))))
    (call $input_read (i32.const 64))
    (call $load)
    (call $output_write (i32.const 104) (i32.const 8))
    (i32.const 0)))
