"""PyTorch CPU float32 GEMM throughput on the audit's shapes (the same list as GemmShape.Audit in SaeAudit.Bench):
torch.matmul after two warm-up calls, median of repeated calls, for each thread count.

usage: torch_gemm.py [--threads 1,2] [--seconds 1.0] [--ratio-shapes-only] [--out gemm_torch.json]
"""
import argparse
import json
import statistics
import sys
import time

import torch

# (name, m, k, n, transposed B, in the list)
SHAPES = [
    ("gpt2 mlp up (c_fc)", 2048, 768, 3072, False, True),
    ("sae encode d_sae 24576", 2048, 768, 24576, False, True),
    ("gpt2 mlp down (c_proj)", 2048, 3072, 768, False, True),
    ("gpt2-tiny unembed", 2048, 128, 4096, True, True),
    ("sae decode (dense)", 2048, 24576, 768, False, True),
    ("gpt2 unembed", 2048, 768, 50257, True, False),
    ("gpt2 unembed, 3 × 333-row chunk", 999, 768, 50257, True, False),
]


def time_shape(m, k, n, transposed, seconds, min_reps=3, max_reps=15):
    a = torch.rand(m, k) * 2 - 1
    b = torch.rand(n, k) * 2 - 1 if transposed else torch.rand(k, n) * 2 - 1
    b = b.T if transposed else b  # a view: torch passes the transposed layout to BLAS, as nn.Linear does
    torch.matmul(a, b)
    torch.matmul(a, b)
    times, started = [], time.perf_counter()
    while len(times) < min_reps or (len(times) < max_reps and time.perf_counter() - started < seconds):
        begin = time.perf_counter()
        torch.matmul(a, b)
        times.append(time.perf_counter() - begin)
    return statistics.median(times), len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--ratio-shapes-only", action="store_true", help="skip the extra shapes (for a slow BLAS)")
    parser.add_argument("--out", default="gemm_torch.json")
    args = parser.parse_args()
    timings = []
    for name, m, k, n, transposed, in_ratio in SHAPES:
        if args.ratio_shapes_only and not in_ratio:
            continue
        for threads in map(int, args.threads.split(",")):
            torch.set_num_threads(threads)
            median, reps = time_shape(m, k, n, transposed, args.seconds)
            gflops = 2.0 * m * k * n / median / 1e9
            label = f"{m}×{k}×{n}{'ᵀ' if transposed else ''}"
            timings.append({"name": name, "shape": label, "m": m, "k": k, "n": n, "transpose_b": transposed,
                            "in_ratio": in_ratio, "threads": threads, "repetitions": reps, "median_seconds": median,
                            "gflops": gflops})
            print(f"torch gemm {label:<18} {threads} thread(s): {gflops:7.1f} GFLOP/s ({reps} reps)", file=sys.stderr)
    with open(args.out, "w") as f:
        json.dump({"torch": torch.__version__, "gemm": timings}, f, indent=1)


if __name__ == "__main__":
    main()
