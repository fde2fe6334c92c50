"""The speed/memory bench behind bench/run: GEMM throughput vs the FMA peak and PyTorch, end-to-end audit tokens/s
and peak RSS vs a PyTorch implementation of the same pipeline, a scaling table, a stopwatch profile and (optional)
a Gemma-2-2B-shaped BF16 audit. Everything it writes goes under bench/.data/ (git-ignored); the summary is printed
and saved to bench/.data/out/summary.md, and the last line printed is the `ratios:` line.

usage: bench.py [--quick] [--gemma] [--threads 2]   (bench/run builds the tools first and then calls this)
"""
import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
DATA = os.path.join(BENCH_DIR, ".data")
OUT = os.path.join(DATA, "out")
BUILD = os.path.join(DATA, "build", "bin")
CLI = os.path.join(BUILD, "SaeAudit.Cli", "release", "saeaudit.dll")
BENCH_TOOL = os.path.join(BUILD, "SaeAudit.Bench", "release", "saeaudit-bench.dll")
# The shared fixtures, as the tests find them: $SAEAUDIT_SHARED, else ../shared beside the repository.
TINY = os.path.join(os.environ.get("SAEAUDIT_SHARED") or os.path.join(os.path.dirname(ROOT), "shared"), "fixtures", "gpt2-tiny")
PYTHON = sys.executable
GIB = 2 ** 30
CONTEXT, BATCH = 128, 16
CE_TOLERANCE = 1e-3


def torch_peers():
    """The PyTorch baselines: Debian's python3-torch as installed (the issue's peer; on a CPU OpenBLAS 0.3.21 does not
    know it runs SSE3 kernels), and, when bench/run found such a fallback, the same with OpenBLAS forced to its
    AVX-512 kernels (PyTorch at its best here). The slow one audits the GPT-2-small pair on fewer rows."""
    detected, tuned = os.environ.get("BENCH_OPENBLAS_DETECTED", ""), os.environ.get("BENCH_OPENBLAS_TUNED", "")
    installed = dict(os.environ)
    core = os.environ.get("OPENBLAS_CORETYPE") or detected or "auto"
    peers = [{"key": "installed", "label": f"torch as installed (OpenBLAS core {core})", "env": installed,
              "slow": bool(tuned)}]
    if tuned:
        peers.append({"key": "tuned", "label": f"torch, OPENBLAS_CORETYPE={tuned}", "env": {**installed, "OPENBLAS_CORETYPE": tuned},
                      "slow": False})
    return peers


def tokens_for_rows(rows):
    """n_tokens that makes the audit take exactly `rows` rows: ceil(n / (context − 1)) = rows (SPEC §2)."""
    return rows * (CONTEXT - 1)


def log(message):
    print(message, file=sys.stderr, flush=True)


def load_average():
    return os.getloadavg()[0]


def run(command, timeout, log_path=None, env=None):
    """Runs a command (output to log_path, or through), raising with the log's tail on failure."""
    log("$ " + " ".join(command))
    with open(log_path, "w") if log_path else contextlib.nullcontext() as sink:
        result = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT if sink else None, timeout=timeout,
                                env=env, cwd=ROOT)
    if result.returncode not in (0, 1):  # saeaudit exits 1 when a gate fails; the bench sets none
        tail = open(log_path).read()[-3000:] if log_path else ""
        raise RuntimeError(f"{command[0:3]} exited {result.returncode}\n{tail}")


def write_manifest(path, name, base, finetune, sae, dataset, n_tokens):
    pair = {"name": name, "base": base, "finetune": finetune, "sae": sae, "dataset": dataset,
            "context_size": CONTEXT, "n_tokens": n_tokens, "batch_size": BATCH, "seed": 0,
            "outliers": {"mode": "none"}}
    with open(path, "w") as f:
        json.dump({"schema_version": 1, "pairs": [pair]}, f, indent=1)


class Bench:
    def __init__(self, args):
        self.args = args
        self.threads = args.threads
        self.peers = torch_peers()
        self.results = {"machine": machine_info(), "load_average": {"start": load_average()},
                        "peers": [{k: p[k] for k in ("key", "label", "slow")} for p in self.peers]}
        help_text = subprocess.run(["dotnet", CLI, "run", "--help"], capture_output=True, text=True).stdout
        self.no_report = ["--no-report"] if "--no-report" in help_text else []

    # -- GEMM -------------------------------------------------------------------------------------------------------

    def gemm(self):
        seconds = "0.2" if self.args.quick else "0.6"
        ours = os.path.join(OUT, "gemm_ours.json")
        load = load_average()
        run(["dotnet", BENCH_TOOL, "gemm", "--threads", f"1,{self.threads}", "--seconds", seconds, "--out", ours], 600)
        torch = {}
        for peer in self.peers:
            out = os.path.join(OUT, f"gemm_torch_{peer['key']}.json")
            run([PYTHON, os.path.join(BENCH_DIR, "torch_gemm.py"), "--threads", f"1,{self.threads}", "--seconds", seconds,
                 "--out", out] + (["--ratio-shapes-only"] if peer["slow"] else []), 900, env=peer["env"])
            torch[peer["key"]] = json.load(open(out))
        self.results["gemm"] = {"ours": json.load(open(ours)), "torch": torch, "load_average": load}

    # -- audits -----------------------------------------------------------------------------------------------------

    def ours(self, name, manifest):
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        load = load_average()
        started = time.perf_counter()
        run(["dotnet", CLI, "run", manifest, "--threads", str(self.threads), "--out", folder] + self.no_report, 1200,
            log_path=os.path.join(folder, "ours.log"), env={**os.environ, "CI": "1"})
        process_seconds = time.perf_counter() - started
        results = json.load(open(os.path.join(folder, "results.json")))
        run_info, pair = results["provenance"]["run"], results["pairs"][0]
        return {"tokens_per_second": run_info["tokens_per_second"], "wall_seconds": run_info["wall_seconds"],
                "process_seconds": process_seconds, "peak_rss_bytes": run_info["peak_memory_bytes"],
                "tokens": pair["tokens"]["rows"] * CONTEXT, "load_average": load,
                "selected_rows_sha256": results["provenance"]["pairs"][0]["extras"]["selected_rows_sha256"],
                "ce": {m: pair[m]["ce"] for m in ("base", "finetune")}}

    def torch(self, name, manifest, base, finetune, sae, peer):
        folder = os.path.join(OUT, name)
        rows = os.path.join(folder, "rows.npy")
        run(["dotnet", BENCH_TOOL, "rows", manifest, rows], 300)
        out = os.path.join(folder, f"torch_{peer['key']}.json")
        load = load_average()
        started = time.perf_counter()
        run([PYTHON, os.path.join(BENCH_DIR, "torch_audit.py"), "--base", base, "--finetune", finetune, "--sae", sae,
             "--rows", rows, "--threads", str(self.threads), "--out", out], 1200,
            log_path=os.path.join(folder, f"torch_{peer['key']}.log"), env=peer["env"])
        result = json.load(open(out))
        result.update(process_seconds=time.perf_counter() - started, load_average=load)
        return result

    def audit(self, name, base, finetune, sae, dataset, rows, peers):
        """Our audit of `rows` rows, and each of `peers`' PyTorch pipeline on the same rows."""
        manifest = os.path.join(OUT, "manifests", name + ".json")
        write_manifest(manifest, name, base, finetune, sae, dataset, tokens_for_rows(rows))
        case = {"ours": self.ours(name, manifest), "torch": {}, "ce_check": {}}
        log(f"{name}: ours {case['ours']['tokens_per_second']:.1f} tokens/s, peak RSS {case['ours']['peak_rss_bytes'] / GIB:.2f} GiB")
        for peer in peers:
            torch = case["torch"][peer["key"]] = self.torch(name, manifest, base, finetune, sae, peer)
            check = case["ce_check"][peer["key"]] = ce_check(case["ours"], torch)
            log(f"{name}: {peer['label']} {torch['tokens_per_second']:.1f} tokens/s; CE max relative difference "
                f"{check['max_relative_difference']:.2e}")
        return case

    def audits(self):
        quick = self.args.quick
        gpt2 = self.gpt2_data(768, [24576] if quick else [24576, 12288, 4096])
        tiny_rows, main_rows, scale_rows = (16, 16, 16) if quick else (128, 64, 32)
        self.results["tiny"] = self.audit(
            "tiny", f"{TINY}/models/base", f"{TINY}/models/ft-heavy", f"{TINY}/saes/sae-relu",
            {"path": f"{TINY}/data/eval_prose.jsonl", "field": "text"}, tiny_rows, self.peers)
        # A slow peer (SSE3 OpenBLAS: ~8× slower GEMMs) audits 16 rows, and so do we for that comparison.
        fast = [p for p in self.peers if not p["slow"]]
        slow = [p for p in self.peers if p["slow"]]
        self.results["gpt2_small"] = self.audit(
            "gpt2-small", *gpt2["pair"], gpt2["sae"][24576], {"path": gpt2["tokens"]}, main_rows, fast)
        if slow:
            self.results["gpt2_small_short"] = self.audit(
                "gpt2-small-short", *gpt2["pair"], gpt2["sae"][24576], {"path": gpt2["tokens"]}, 16, slow)

        # Scaling (ours only): one variable at a time around d_model 768, d_sae 24576, scale_rows rows; points
        # shared by several axes (and with the main run) are measured once.
        measured = {(main_rows, 768, 24576): self.results["gpt2_small"]["ours"]}
        if "gpt2_small_short" in self.results:
            measured[16, 768, 24576] = self.results["gpt2_small_short"]["ours"]

        def measure(rows, d_model, d_sae):
            if (rows, d_model, d_sae) not in measured:
                data = gpt2 if d_model == 768 else self.gpt2_data(d_model, [d_sae])
                measured[rows, d_model, d_sae] = self.audit(
                    f"scale-r{rows}-d{d_model}-s{d_sae}", *data["pair"], data["sae"][d_sae], {"path": data["tokens"]},
                    rows, peers=[])["ours"]
            return measured[rows, d_model, d_sae]

        if quick:
            axes = [("d_model", 256, (scale_rows, 256, 24576))]
        else:
            axes = ([("n_tokens", rows * CONTEXT, (rows, 768, 24576)) for rows in (16, 32, 64)]
                    + [("d_model", d, (scale_rows, d, 24576)) for d in (256, 512, 768)]
                    + [("d_sae", s, (scale_rows, 768, s)) for s in (4096, 12288, 24576)])
        scaling = [{"axis": axis, "value": value, "rows": key[0], "d_model": key[1], "d_sae": key[2], "ours": measure(*key)}
                   for axis, value, key in axes]
        self.results["scaling"] = scaling

    def gpt2_data(self, d_model, d_saes):
        folder = os.path.join(DATA, f"gpt2-d{d_model}")
        run([PYTHON, os.path.join(BENCH_DIR, "make_gpt2_pair.py"), "--out", folder, "--d-model", str(d_model),
             "--d-sae", *map(str, d_saes)], 600)
        return {"d_model": d_model, "pair": (os.path.join(folder, "base"), os.path.join(folder, "finetune")),
                "sae": {d: os.path.join(folder, f"sae-{d}") for d in d_saes}, "tokens": os.path.join(folder, "tokens.npy")}

    # -- profile ----------------------------------------------------------------------------------------------------

    def profile(self):
        """The stopwatch profile of the two main pairs (the GPT-2-small one on fewer rows, to save time)."""
        profiles = {}
        gpt2_rows = 16 if self.args.quick else 32
        gpt2_manifest = os.path.join(OUT, "manifests", "profile-gpt2-small.json")
        pair = json.load(open(os.path.join(OUT, "manifests", "gpt2-small.json")))["pairs"][0]
        write_manifest(gpt2_manifest, "profile-gpt2-small", pair["base"], pair["finetune"], pair["sae"], pair["dataset"],
                       tokens_for_rows(gpt2_rows))
        for name, manifest in (("gpt2-small", gpt2_manifest), ("tiny", os.path.join(OUT, "manifests", "tiny.json"))):
            out = os.path.join(OUT, f"profile-{name}.json")
            run(["dotnet", BENCH_TOOL, "profile", manifest, "--threads", str(self.threads), "--out", out], 600)
            profiles[name] = json.load(open(out))
        self.results["profile"] = profiles

    # -- Gemma-2-2B (optional) --------------------------------------------------------------------------------------

    def gemma(self):
        folder = os.path.join(DATA, "gemma2-2b")
        run([PYTHON, os.path.join(BENCH_DIR, "make_gemma2_pair.py"), "--out", folder], 1200)
        manifest = os.path.join(OUT, "manifests", "gemma2-2b.json")
        write_manifest(manifest, "gemma2-2b", os.path.join(folder, "base"), os.path.join(folder, "finetune"),
                       os.path.join(folder, "sae"), {"path": os.path.join(folder, "tokens.npy")}, tokens_for_rows(16))
        checkpoint = sum(os.path.getsize(os.path.join(folder, m, "model.safetensors")) for m in ("base", "finetune"))
        out_folder = os.path.join(OUT, "gemma2-2b")
        os.makedirs(out_folder, exist_ok=True)
        watched = run_watched(["dotnet", CLI, "run", manifest, "--threads", str(self.threads), "--out", out_folder]
                              + self.no_report, os.path.join(out_folder, "ours.log"), timeout=self.args.gemma_timeout)
        result = {"checkpoint_bytes": checkpoint, "tokens": 16 * CONTEXT, **watched}
        results_path = os.path.join(out_folder, "results.json")
        if watched["outcome"] == "completed" and os.path.exists(results_path):
            run_info = json.load(open(results_path))["provenance"]["run"]
            result.update(tokens_per_second=run_info["tokens_per_second"], peak_rss_bytes=run_info["peak_memory_bytes"],
                          wall_seconds=run_info["wall_seconds"])
        # The CI progress log's "finished in S s (R tokens/s)" line times the batch loop alone.
        finished = re.search(r"finished in ([\d.]+) s \(([\d.]+) tokens/s\)", open(os.path.join(out_folder, "ours.log")).read())
        if finished:
            result.update(loop_seconds=float(finished[1]), loop_tokens_per_second=float(finished[2]))
        self.results["gemma"] = result


def run_watched(command, log_path, timeout, min_available=1.5 * GIB):
    """Runs a memory-hungry command on a shared machine: the kernel's OOM killer is told to pick it first, and it is
    killed before the machine runs out (MemAvailable below min_available), so other processes are never hit.
    Samples its RSS every 0.2 s."""
    def make_oom_victim():
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")

    log("$ " + " ".join(command))
    started = time.perf_counter()
    peak_rss, outcome = 0, None
    with open(log_path, "w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT, preexec_fn=make_oom_victim,
                                   env={**os.environ, "CI": "1"})
        while process.poll() is None:
            peak_rss = max(peak_rss, status_bytes(process.pid, "VmRSS"))
            if meminfo_bytes("MemAvailable") < min_available:
                outcome = f"killed: MemAvailable fell below {min_available / GIB:.1f} GiB"
            elif time.perf_counter() - started > timeout:
                outcome = f"killed: over {timeout} s"
            if outcome:
                process.send_signal(signal.SIGKILL)
                process.wait()
                break
            time.sleep(0.2)
    if outcome is None:
        outcome = "completed" if process.returncode in (0, 1) else f"exited {process.returncode}"
    return {"outcome": outcome, "process_seconds": time.perf_counter() - started, "sampled_peak_rss_bytes": peak_rss,
            "log_tail": open(log_path, errors="replace").read()[-600:]}


def status_bytes(pid, field):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


def meminfo_bytes(field):
    for line in open("/proc/meminfo"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def ce_check(ours, torch):
    """CE clean / sae / zero of both models: the largest relative difference between the two implementations."""
    rows, worst = [], 0.0
    for model in ("base", "finetune"):
        for run_name in ("clean", "sae", "zero"):
            a, b = ours["ce"][model][run_name], torch["metrics"][model]["ce"][run_name]
            difference = abs(a - b) / abs(b)
            worst = max(worst, difference)
            rows.append({"model": model, "run": run_name, "ours": a, "torch": b, "relative_difference": difference})
    return {"rows": rows, "max_relative_difference": worst, "passed": worst <= CE_TOLERANCE,
            "same_rows": ours["selected_rows_sha256"] == torch["selected_rows_sha256"]}


def machine_info():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    dotnet_runtime = next((line.split()[1] for line in subprocess.run(["dotnet", "--list-runtimes"], capture_output=True,
                           text=True).stdout.splitlines() if line.startswith("Microsoft.NETCore.App")), "?")
    import numpy
    import torch
    return {"cpu": cpu, "logical_cpus": os.cpu_count(), "memory_gib": round(meminfo_bytes("MemTotal") / GIB, 1),
            "os": platform.platform(), "dotnet_sdk": subprocess.run(["dotnet", "--version"], capture_output=True,
                                                                     text=True).stdout.strip(),
            "dotnet_runtime": dotnet_runtime, "torch": torch.__version__, "numpy": numpy.__version__,
            "python": platform.python_version(),
            "openblas_core": os.environ.get("OPENBLAS_CORETYPE") or os.environ.get("BENCH_OPENBLAS_DETECTED") or "(auto)"}


# -- summary ------------------------------------------------------------------------------------------------------------

def geometric_mean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def gemm_table(gemm, threads, peers):
    """The GEMM table; returns it, our geometric-mean fraction of the FMA peak and, per peer, our geometric-mean
    speed-up over it (the issue's five shapes, 2 threads)."""
    ours = {(t["shape"], t["threads"]): t for t in gemm["ours"]["gemm"]}
    torch = {p["key"]: {(t["shape"], t["threads"]): t for t in gemm["torch"][p["key"]]["gemm"]} for p in peers}
    peak = gemm["ours"]["fma_peak_gflops"]
    names = {p["key"]: p["label"] for p in peers}
    lines = [f"FMA peak (Vector512 register loop): {peak['1']:.1f} GFLOP/s on 1 thread, {peak[str(threads)]:.1f} on {threads}; "
             f"kernel {gemm['ours']['kernel']}; load average {gemm['load_average']:.2f}", "",
             "Peers: " + "; ".join(f"**{chr(65 + i)}** = {p['label']}" for i, p in enumerate(peers)), "",
             f"| shape m×k×n | what | ours 1T | ours {threads}T | ours {threads}T, new output | ours {threads}T / peak | "
             + " | ".join(f"{chr(65 + i)} 1T | {chr(65 + i)} {threads}T | ours / {chr(65 + i)} ({threads}T)" for i in range(len(peers))) + " |",
             "|---|---|---:|---:|---:|---:|" + "---:|---:|---:|" * len(peers)]
    peak_fractions, ratios = [], {p["key"]: [] for p in peers}
    for (shape, t), entry in ours.items():
        if t != threads:
            continue
        o1, o2 = ours[(shape, 1)]["gflops"], entry["gflops"]
        fraction = o2 / peak[str(threads)]
        cells = []
        for p in peers:
            measured = torch[p["key"]]
            if (shape, threads) not in measured:
                cells.append("— | — | —")
                continue
            t1, t2 = measured[(shape, 1)]["gflops"], measured[(shape, threads)]["gflops"]
            cells.append(f"{t1:.1f} | {t2:.1f} | {o2 / t2:.2f}")
            if entry["in_ratio"]:
                ratios[p["key"]].append(o2 / t2)
        if entry["in_ratio"]:
            peak_fractions.append(fraction)
        star = "" if entry["in_ratio"] else " (extra)"
        lines.append(f"| {shape} | {entry['name']}{star} | {o1:.1f} | {o2:.1f} | {entry['new_output_gflops']:.1f} | {fraction:.3f} | "
                     + " | ".join(cells) + " |")
    lines.append("")
    lines.append("GFLOP/s, median of repeated calls after warm-up, output reused; 'new output': a fresh Tensor.Zeros output "
                 "per call (what code that allocates its outputs pays). Ratios average (geometric mean) the issue's five shapes over the "
                 "reused-output numbers; '(extra)' rows are reported only (a slow peer skips them).")
    return lines, geometric_mean(peak_fractions), {key: geometric_mean(values) for key, values in ratios.items()}


AUDIT_LABELS = {
    "tiny": "gpt2-tiny base → ft-heavy, sae-relu (d_sae 2048), eval_prose.jsonl",
    "gpt2_small": "GPT-2-small shape, 12 layers, d 768, vocab 50257, SAE d_sae 24576 @ blocks.6",
    "gpt2_small_short": "GPT-2-small shape (as above), 16 rows",
}


def audit_cases(results):
    """(case key, peer) for every audit measured against a peer, in table order."""
    return [(key, peer) for key in AUDIT_LABELS if key in results for peer in results["peers"] if peer["key"] in results[key]["torch"]]


def audit_tables(results):
    lines = ["| pair | peer | tokens | ours tokens/s | torch tokens/s | ours / torch | ours peak RSS | torch peak RSS | ours wall (process) | torch wall (process) | load avg |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, peer in audit_cases(results):
        o, t = results[key]["ours"], results[key]["torch"][peer["key"]]
        lines.append(f"| {AUDIT_LABELS[key]} | {peer['label']} | {o['tokens']} | {o['tokens_per_second']:.1f} | {t['tokens_per_second']:.1f} | "
                     f"{o['tokens_per_second'] / t['tokens_per_second']:.2f} | {o['peak_rss_bytes'] / GIB:.2f} GiB | "
                     f"{t['peak_rss_bytes'] / GIB:.2f} GiB | {o['wall_seconds']:.1f} s ({o['process_seconds']:.1f} s) | "
                     f"{t['wall_seconds']:.1f} s ({t['process_seconds']:.1f} s) | {o['load_average']:.2f} / {t['load_average']:.2f} |")
    lines += ["", "CE check (same rows: selected-rows SHA-256 equal; tolerance 1e-3 relative):", "",
              "| pair | peer | model | run | ours | torch | relative difference |", "|---|---|---|---|---:|---:|---:|"]
    for key, peer in audit_cases(results):
        check = results[key]["ce_check"][peer["key"]]
        for row in check["rows"]:
            lines.append(f"| {key} | {peer['key']} | {row['model']} | {row['run']} | {row['ours']:.6f} | {row['torch']:.6f} | {row['relative_difference']:.1e} |")
        lines.append(f"| {key} | {peer['key']} | | | | same rows: {check['same_rows']} | {'PASS' if check['passed'] and check['same_rows'] else 'FAIL'} |")
    return lines


def scaling_table(scaling):
    lines = ["| varied | value | tokens | d_model | d_sae | tokens/s | peak RSS | wall | load avg |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in scaling:
        o = p["ours"]
        lines.append(f"| {p['axis']} | {p['value']} | {o['tokens']} | {p['d_model']} | {p['d_sae']} | {o['tokens_per_second']:.1f} | "
                     f"{o['peak_rss_bytes'] / GIB:.2f} GiB | {o['wall_seconds']:.1f} s | {o['load_average']:.2f} |")
    return lines


def profile_tables(profiles):
    lines = []
    for name, p in profiles.items():
        lines += [f"**{name}** ({p['pair']}): {p['batches']} batches, {p['tokens']} tokens, {p['wall_seconds']:.1f} s, "
                  f"{p['threads']} threads; peak RSS {p['peak_working_set_bytes'] / GIB:.2f} GiB, "
                  f"{p['allocated_bytes'] / GIB:.1f} GiB allocated, {p['gen2_collections']} gen2 GCs; "
                  f"SHA-256 of the inputs (re-measured) {p['input_hash_seconds']:.2f} s", "",
                  "| phase | seconds | share | in engine ops | allocated |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {ph['name']} | {ph['seconds']:.2f} | {ph['seconds'] / p['wall_seconds']:.0%} | {ph['engine_seconds']:.2f} | "
                  f"{ph['allocated_bytes'] / GIB:.2f} GiB |" for ph in p["phases"]]
        lines += ["", "| engine op | calls | seconds | share of wall | GFLOP/s |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {op['name']} | {op['calls']} | {op['seconds']:.2f} | {op['seconds'] / p['wall_seconds']:.0%} | "
                  f"{op['gflops']:.1f} |" for op in p["ops"][:12]]
        lines.append("")
    return lines


def gemma_lines(gemma):
    lines = [f"checkpoint: {gemma['checkpoint_bytes'] / GIB:.2f} GiB on disk for base + finetune (BF16); "
             f"float32 in memory would be {2 * gemma['checkpoint_bytes'] / GIB:.2f} GiB",
             f"outcome: {gemma['outcome']} after {gemma['process_seconds']:.0f} s; sampled peak RSS "
             f"{gemma['sampled_peak_rss_bytes'] / GIB:.2f} GiB ({gemma['sampled_peak_rss_bytes'] / gemma['checkpoint_bytes']:.2f}× the checkpoint)"]
    if "tokens_per_second" in gemma:
        lines.append(f"{gemma['tokens']} tokens: {gemma['tokens_per_second']:.2f} tokens/s over {gemma['wall_seconds']:.0f} s, "
                     f"peak RSS {gemma['peak_rss_bytes'] / GIB:.2f} GiB")
    if "loop_seconds" in gemma:
        lines.append(f"batch loop alone: {gemma['loop_seconds']:.0f} s = {gemma['loop_tokens_per_second']:.2f} tokens/s")
    return lines


def summarize(results, threads):
    m = results["machine"]
    lines = [f"machine: {m['cpu']}, {m['logical_cpus']} logical CPUs, {m['memory_gib']} GiB; {m['os']}",
             f"software: .NET SDK {m['dotnet_sdk']} (runtime {m['dotnet_runtime']}), torch {m['torch']}, numpy {m['numpy']}, "
             f"Python {m['python']}, OpenBLAS core {m['openblas_core']} (as detected or set); {threads} threads everywhere",
             f"load average (1 min): {results['load_average']['start']:.2f} at start, {results['load_average']['end']:.2f} at end",
             "", "## GEMM", ""]
    peers = results["peers"]
    gemm_lines, gemm_peak, gemm_vs_torch = gemm_table(results["gemm"], threads, peers)
    lines += gemm_lines + ["", "## End-to-end audit", ""] + audit_tables(results)
    lines += ["", "## Scaling (ours)", ""] + scaling_table(results["scaling"])
    lines += ["", "## Profile (ours, stopwatch)", ""] + profile_tables(results["profile"])
    if "gemma" in results:
        lines += ["## Gemma-2-2B-shaped BF16 pair", ""] + gemma_lines(results["gemma"]) + [""]

    def ratio(key, peer):
        return results[key]["ours"]["tokens_per_second"] / results[key]["torch"][peer]["tokens_per_second"]

    def ratios_for(peer):
        main = "gpt2_small" if peer["key"] in results["gpt2_small"]["torch"] else "gpt2_small_short"
        return (f"gemm_vs_torch={gemm_vs_torch[peer['key']]:.2f} audit_vs_torch={ratio(main, peer['key']):.2f} "
                f"audit_tiny_vs_torch={ratio('tiny', peer['key']):.2f}")

    # The last line is against the peer (PyTorch as installed); another peer's ratios come just before it.
    ratio_lines = [f"ratios vs {peer['label']}: gemm_peak={gemm_peak:.3f} {ratios_for(peer)}" for peer in peers[1:]]
    ratio_lines.append(f"ratios: gemm_peak={gemm_peak:.3f} {ratios_for(peers[0])}")
    return lines, ratio_lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smallest sizes only (checks that every step works)")
    parser.add_argument("--gemma", action="store_true", help="also the Gemma-2-2B-shaped BF16 audit (long; memory-bound)")
    parser.add_argument("--gemma-timeout", type=int, default=1800)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "manifests"))
    bench = Bench(args)
    started = time.perf_counter()
    bench.gemm()
    bench.audits()
    bench.profile()
    if args.gemma:
        bench.gemma()
    bench.results["load_average"]["end"] = load_average()
    bench.results["bench_seconds"] = time.perf_counter() - started
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(bench.results, f, indent=1)
    lines, ratios = summarize(bench.results, args.threads)
    lines.append(f"bench steps took {bench.results['bench_seconds']:.0f} s")
    with open(os.path.join(OUT, "summary.md"), "w") as f:
        f.write("\n".join(lines + [""] + ratios) + "\n")
    print("\n".join(lines + [""] + ratios))
    # The ratios stay the last line; a CE mismatch between the implementations still fails the run.
    if not all(check["passed"] and check["same_rows"]
               for key, peer in audit_cases(bench.results) for check in [bench.results[key]["ce_check"][peer["key"]]]):
        sys.exit(1)


if __name__ == "__main__":
    main()
