#!/usr/bin/env python3
"""Whole-process timings of `hx config get` and `hx config exec` against
dotenvx (`@dotenvx/dotenvx`, installed here with npm under
target/bench-node), with the same values in an encrypted `.env`, in the same
run, at 100, 1,000 and 10,000 entries. Run by `cargo xtask bench hx-config`
(or directly with the peer Python: it builds the release `hx` itself).

Config files are written by the independent Python implementation of the
format (tests/interop/config_peer.py), encrypted to an X25519 key that `hx`
opens with `--identity`. Each command runs REPEAT times; the median wall time
is reported.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "crates", "hx-config", "tests", "interop"))
import config_peer  # noqa: E402

WORK = os.path.join(ROOT, "target", "bench-config")
NODE = os.path.join(ROOT, "target", "bench-node")
DOTENVX = os.path.join(NODE, "node_modules", ".bin", "dotenvx")
HX = os.path.join(ROOT, "target", "release", "hx")
SIZES = (100, 1000, 10000)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def median_ms(cmd, repeat, cwd):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    print("==> building the release hx")
    run(["cargo", "build", "--release", "--locked", "-p", "hx-cli"], cwd=ROOT)
    if not os.path.exists(DOTENVX):
        print("==> npm install @dotenvx/dotenvx under target/bench-node")
        os.makedirs(NODE, exist_ok=True)
        run(["npm", "install", "--silent", "--no-audit", "--no-fund", "@dotenvx/dotenvx@1"], cwd=NODE)
    version = run([DOTENVX, "--version"]).stdout.decode().strip()
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    run([HX, "keygen", "--alg", "x25519", "--out", "id.pem", "--pub-out", "id.pub"], cwd=WORK)
    public_pem = open(os.path.join(WORK, "id.pub")).read()

    rows = []
    for n in SIZES:
        d = os.path.join(WORK, str(n))
        os.makedirs(d)
        values = {f"service{i % 50}.key{i}": f"value-{i}-0123456789abcdef0123456789" for i in range(n)}
        text = config_peer.write({"public_pem": public_pem, "values": values})["text"]
        with open(os.path.join(d, "app.hxc"), "w") as f:
            f.write(text)
        with open(os.path.join(d, ".env"), "w") as f:
            for path, value in values.items():
                f.write(f'{path.upper().replace(".", "_")}="{value}"\n')
        run([DOTENVX, "encrypt", "-f", ".env"], cwd=d)
        ident = ["--identity", os.path.join(WORK, "id.pem")]
        # Both sides must deliver the same values before they are timed.
        probe = "SERVICE7_KEY7"
        hx_out = run([HX, "config", "exec", "app.hxc", *ident, "--", "sh", "-c", f"printf %s ${probe}"], cwd=d).stdout
        dx_out = run([DOTENVX, "run", "-q", "-f", ".env", "--", "sh", "-c", f"printf %s ${probe}"], cwd=d).stdout
        assert hx_out == dx_out == b"value-7-0123456789abcdef0123456789", (hx_out, dx_out)
        repeat = 30 if n < 10000 else 10
        get = median_ms([HX, "config", "get", "app.hxc", "service7.key7", *ident], repeat, d)
        exe = median_ms([HX, "config", "exec", "app.hxc", *ident, "--", "true"], repeat, d)
        # dotenvx takes minutes at 10,000 entries: fewer runs there.
        dx = median_ms([DOTENVX, "run", "-q", "-f", ".env", "--", "true"], 3 if n < 10000 else 1, d)
        rows.append({"entries": n, "hx_get_ms": get, "hx_exec_ms": exe, "dotenvx_run_ms": dx, "ratio": dx / exe})

    print(f"\nwhole-process medians (hx release build; dotenvx {version})")
    print(f"{'entries':>8} {'hx config get':>14} {'hx config exec':>15} {'dotenvx run':>12} {'exec speed-up':>14}")
    for r in rows:
        print(f"{r['entries']:>8} {r['hx_get_ms']:>11.2f} ms {r['hx_exec_ms']:>12.2f} ms "
              f"{r['dotenvx_run_ms']:>9.1f} ms {r['ratio']:>13.1f}x")
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(rows, f, indent=2)
    failed = []
    for r in rows:
        if r["entries"] == 1000 and r["hx_get_ms"] > 10:
            failed.append(f"hx config get on 1,000 entries: {r['hx_get_ms']:.1f} ms > 10 ms")
        if r["entries"] == 1000 and r["ratio"] < 10:
            failed.append(f"hx config exec vs dotenvx at 1,000 entries: {r['ratio']:.1f}x < 10x")
    for f in failed:
        print("target missed:", f)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
