#!/usr/bin/env python3
"""Writes committed through `node-lite --state`, against the yardstick, in one run.

`node-lite call` of `writes.wat` (N values of L bytes under distinct keys) into a state
directory, the process's CPU time (user + system) and wall time, best of ROUNDS, a call
writing nothing subtracted; the yardstick is `yard.wat` (a loop of `i64.add` on a local until
out of gas, its 8 operators counted at 1 gas each: 8/25 of its gas under the measured operator
table) by `node-lite exec`, the difference of a 5 G-gas and a 1 G-gas run.

    node-lite deploy benches/cli_state/writes.wat --state DIR --name w
    python3 benches/cli_state/run.py path/to/node-lite DIR 3

Standard library only. BENCHMARKS.md §6 ("The issue's cases on gas schedule v8") has figures.
"""
import json, os, subprocess, sys, time, struct, resource

HERE = os.path.dirname(os.path.abspath(__file__))

bin_, d, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
salt = [int(time.time()) << 20]

def call(name, args, gas):
    t = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([bin_, "call", name, "--fn", "run", "--args", args, "--gas", str(gas),
                          "--state", d, "--compact"], capture_output=True, text=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    j = json.loads(out.stdout)
    return j, wall, cpu

def exec_yard(gas):
    t = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([bin_, "exec", os.path.join(HERE, "yard.wat"), "--fn", "run", "--gas", str(gas), "--compact"],
                         capture_output=True, text=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return json.loads(out.stdout), wall, cpu

def writes(count, length):
    salt[0] += 1
    return "0x" + struct.pack("<IIQ", count, length, salt[0]).hex()

cases = [("nothing written", 0, 0), ("10,000 distinct keys, 32 B values", 10_000, 32),
         ("3,000 distinct keys, 64 KiB values", 3_000, 65_536)]
best = {}
for _ in range(rounds):
    for label, count, length in cases:
        j, wall, cpu = call("w", writes(count, length), 20_000_000_000)
        assert j["status"] == "success", j
        gas = j["gas_spent"]
        b = best.get(label)
        best[label] = (gas, min(wall, b[1]) if b else wall, min(cpu, b[2]) if b else cpu)
    for gas in [1_000_000_000, 5_000_000_000]:
        j, wall, cpu = exec_yard(gas)
        assert j["status"] == "out_of_gas", j
        label = f"yardstick {gas}"
        b = best.get(label)
        best[label] = (j.get("gas_spent", gas), min(wall, b[1]) if b else wall, min(cpu, b[2]) if b else cpu)
base = best["nothing written"]
# yardstick: the difference of two loop lengths (process start and the call's fixed part cancel)
y1, y2 = best["yardstick 1000000000"], best["yardstick 5000000000"]
for clock, i in [("wall", 1), ("CPU", 2)]:
    yrate = (5_000_000_000 - 1_000_000_000) * 8 / 25 / ((y2[i] - y1[i]) * 1e6)
    print(f"{clock}: yardstick {yrate:.0f} gas/µs (i64.add loop, 8 operators at 1 gas; 4 G v8 gas in {(y2[i]-y1[i])*1e3:.0f} ms)")
    for label, _, _ in cases[1:]:
        gas, t = best[label][0], best[label][i] - base[i]
        rate = gas / (t * 1e6)
        print(f"| {label} | {gas} | {t*1e6:.0f} | {rate:.0f} | {yrate/rate:.2f}x |")
print(json.dumps(best))
