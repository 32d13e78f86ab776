//! Compute kernels with no host calls: this file runs as wasm (a module of the `compute`
//! contract) and natively (`benches/benches/compute.rs` includes it with `#[path]`), so the
//! two are compared on identical code. It must stay free of `std` and of host calls.

/// `n` steps of the Fibonacci recurrence modulo 2^64.
pub fn fib_iter(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    let mut i = 0;
    while i < n {
        let next = a.wrapping_add(b);
        a = b;
        b = next;
        i += 1;
    }
    a
}

/// The naive doubly recursive Fibonacci (call-heavy).
pub fn fib_rec(n: u32) -> u64 {
    if n < 2 {
        u64::from(n)
    } else {
        fib_rec(n - 1).wrapping_add(fib_rec(n - 2))
    }
}

const IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

fn compress(h: &mut [u64; 8], block: &[u8; 128], bytes: u128, last: bool) {
    let mut m = [0u64; 16];
    for (i, word) in m.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&block[i * 8..i * 8 + 8]);
        *word = u64::from_le_bytes(w);
    }
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&IV);
    v[12] ^= bytes as u64;
    v[13] ^= (bytes >> 64) as u64;
    if last {
        v[14] = !v[14];
    }
    for round in 0..12 {
        let s = &SIGMA[round % 10];
        let mut g = |a: usize, b: usize, c: usize, d: usize, x: u64, y: u64| {
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
            v[d] = (v[d] ^ v[a]).rotate_right(32);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right(24);
            v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
            v[d] = (v[d] ^ v[a]).rotate_right(16);
            v[c] = v[c].wrapping_add(v[d]);
            v[b] = (v[b] ^ v[c]).rotate_right(63);
        };
        g(0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

/// BLAKE2b-256 (RFC 7693, no key) of `data`, written out in plain Rust.
pub fn blake2b_256(data: &[u8]) -> [u8; 32] {
    let mut h = IV;
    h[0] ^= 0x0101_0000 ^ 32;
    let mut block = [0u8; 128];
    let mut done = 0usize;
    while data.len() - done > 128 {
        block.copy_from_slice(&data[done..done + 128]);
        done += 128;
        compress(&mut h, &block, done as u128, false);
    }
    block = [0u8; 128];
    block[..data.len() - done].copy_from_slice(&data[done..]);
    compress(&mut h, &block, data.len() as u128, true);
    let mut out = [0u8; 32];
    for (i, word) in h.iter().take(4).enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// Hash a 1 KiB buffer `rounds` times, each round's digest written back into it.
pub fn blake2b_rounds(rounds: u32) -> [u8; 32] {
    let mut buf = [0u8; 1024];
    let mut digest = [0u8; 32];
    for _ in 0..rounds {
        digest = blake2b_256(&buf);
        buf[..32].copy_from_slice(&digest);
    }
    digest
}

/// `n` transfers between 64 accounts held in memory (balances as `u128`, checked
/// arithmetic, a transfer that cannot be paid is skipped), accounts and amounts from a fixed
/// LCG. Returns how many transfers succeeded.
pub fn transfers(n: u32) -> u32 {
    let mut balances = [1_000_000u128; 64];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut ok = 0;
    for _ in 0..n {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let from = (x >> 58) as usize;
        let to = ((x >> 52) & 63) as usize;
        let amount = u128::from((x >> 20) & 0xffff);
        let Some(left) = balances[from].checked_sub(amount) else {
            continue;
        };
        balances[from] = left;
        if let Some(sum) = balances[to].checked_add(amount) {
            balances[to] = sum;
            ok += 1;
        }
    }
    ok
}
