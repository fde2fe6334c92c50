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
        self.results = {"machine": machine_info(), "load_average": {"start": load_average()}}
        help_text = subprocess.run(["dotnet", CLI, "run", "--help"], capture_output=True, text=True).stdout
        self.no_report = ["--no-report"] if "--no-report" in help_text else []

    # -- GEMM -------------------------------------------------------------------------------------------------------

    def gemm(self):
        seconds = "0.2" if self.args.quick else "0.6"
        ours, torch = os.path.join(OUT, "gemm_ours.json"), os.path.join(OUT, "gemm_torch.json")
        load = load_average()
        run(["dotnet", BENCH_TOOL, "gemm", "--threads", f"1,{self.threads}", "--seconds", seconds, "--out", ours], 600)
        run([PYTHON, os.path.join(BENCH_DIR, "torch_gemm.py"), "--threads", f"1,{self.threads}", "--seconds", seconds,
             "--out", torch], 600)
        self.results["gemm"] = {"ours": json.load(open(ours)), "torch": json.load(open(torch)), "load_average": load}

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

    def torch(self, name, manifest, base, finetune, sae):
        folder = os.path.join(OUT, name)
        rows = os.path.join(folder, "rows.npy")
        run(["dotnet", BENCH_TOOL, "rows", manifest, rows], 300)
        out = os.path.join(folder, "torch.json")
        load = load_average()
        started = time.perf_counter()
        run([PYTHON, os.path.join(BENCH_DIR, "torch_audit.py"), "--base", base, "--finetune", finetune, "--sae", sae,
             "--rows", rows, "--threads", str(self.threads), "--out", out], 1200, log_path=os.path.join(folder, "torch.log"))
        result = json.load(open(out))
        result.update(process_seconds=time.perf_counter() - started, load_average=load)
        return result

    def audit(self, name, base, finetune, sae, dataset, rows, with_torch):
        manifest = os.path.join(OUT, "manifests", name + ".json")
        write_manifest(manifest, name, base, finetune, sae, dataset, tokens_for_rows(rows))
        case = {"ours": self.ours(name, manifest)}
        log(f"{name}: ours {case['ours']['tokens_per_second']:.1f} tokens/s, peak RSS {case['ours']['peak_rss_bytes'] / GIB:.2f} GiB")
        if with_torch:
            case["torch"] = self.torch(name, manifest, base, finetune, sae)
            case["ce_check"] = ce_check(case["ours"], case["torch"])
            log(f"{name}: torch {case['torch']['tokens_per_second']:.1f} tokens/s; CE max relative difference "
                f"{case['ce_check']['max_relative_difference']:.2e}")
        return case

    def audits(self):
        quick = self.args.quick
        gpt2 = self.gpt2_data(768, [24576] if quick else [24576, 12288, 4096])
        tiny_rows, main_rows, scale_rows = (16, 16, 16) if quick else (128, 64, 32)
        self.results["tiny"] = self.audit(
            "tiny", f"{TINY}/models/base", f"{TINY}/models/ft-heavy", f"{TINY}/saes/sae-relu",
            {"path": f"{TINY}/data/eval_prose.jsonl", "field": "text"}, tiny_rows, with_torch=True)
        self.results["gpt2_small"] = self.audit(
            "gpt2-small", *gpt2["pair"], gpt2["sae"][24576], {"path": gpt2["tokens"]}, main_rows, with_torch=True)

        # Scaling (ours only): one variable at a time around d_model 768, d_sae 24576, scale_rows rows; points
        # shared by several axes (and with the main run) are measured once.
        measured = {(main_rows, 768, 24576): self.results["gpt2_small"]["ours"]}

        def measure(rows, d_model, d_sae):
            if (rows, d_model, d_sae) not in measured:
                data = gpt2 if d_model == 768 else self.gpt2_data(d_model, [d_sae])
                measured[rows, d_model, d_sae] = self.audit(
                    f"scale-r{rows}-d{d_model}-s{d_sae}", *data["pair"], data["sae"][d_sae], {"path": data["tokens"]},
                    rows, with_torch=False)["ours"]
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
            "python": platform.python_version(), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(auto)")}


# -- summary ------------------------------------------------------------------------------------------------------------

def geometric_mean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def gemm_table(gemm, threads):
    ours = {(t["shape"], t["threads"]): t for t in gemm["ours"]["gemm"]}
    torch = {(t["shape"], t["threads"]): t for t in gemm["torch"]["gemm"]}
    peak = gemm["ours"]["fma_peak_gflops"]
    lines = [f"FMA peak (Vector512 register loop): {peak['1']:.1f} GFLOP/s on 1 thread, {peak[str(threads)]:.1f} on {threads}; "
             f"kernel {gemm['ours']['kernel']}; load average {gemm['load_average']:.2f}", "",
             f"| shape m×k×n | what | ours 1T | ours {threads}T | ours {threads}T, new output | torch 1T | torch {threads}T | ours {threads}T / peak | ours / torch ({threads}T) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    peak_fractions, torch_ratios = [], []
    for (shape, t), entry in ours.items():
        if t != threads:
            continue
        o1, o2 = ours[(shape, 1)]["gflops"], entry["gflops"]
        t1, t2 = torch[(shape, 1)]["gflops"], torch[(shape, threads)]["gflops"]
        fraction, ratio = o2 / peak[str(threads)], o2 / t2
        if entry["in_ratio"]:
            peak_fractions.append(fraction)
            torch_ratios.append(ratio)
        star = "" if entry["in_ratio"] else " (extra)"
        lines.append(f"| {shape} | {entry['name']}{star} | {o1:.1f} | {o2:.1f} | {entry['new_output_gflops']:.1f} | {t1:.1f} | "
                     f"{t2:.1f} | {fraction:.3f} | {ratio:.2f} |")
    lines.append("")
    lines.append("GFLOP/s, median of repeated calls after warm-up, output reused; 'new output': a fresh Tensor.Zeros output "
                 "per call (what code that allocates its outputs pays). Ratios average (geometric mean) the issue's five shapes over the "
                 "reused-output numbers; '(extra)' rows are reported only.")
    return lines, geometric_mean(peak_fractions), geometric_mean(torch_ratios)


def audit_tables(results):
    lines = ["| pair | tokens | ours tokens/s | torch tokens/s | ours / torch | ours peak RSS | torch peak RSS | ours wall (process) | torch wall (process) | load avg |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, label in (("tiny", "gpt2-tiny base → ft-heavy, sae-relu (d_sae 2048), eval_prose.jsonl"),
                       ("gpt2_small", "GPT-2-small shape, 12 layers, d 768, vocab 50257, SAE d_sae 24576 @ blocks.6")):
        o, t = results[key]["ours"], results[key]["torch"]
        lines.append(f"| {label} | {o['tokens']} | {o['tokens_per_second']:.1f} | {t['tokens_per_second']:.1f} | "
                     f"{o['tokens_per_second'] / t['tokens_per_second']:.2f} | {o['peak_rss_bytes'] / GIB:.2f} GiB | "
                     f"{t['peak_rss_bytes'] / GIB:.2f} GiB | {o['wall_seconds']:.1f} s ({o['process_seconds']:.1f} s) | "
                     f"{t['wall_seconds']:.1f} s ({t['process_seconds']:.1f} s) | {o['load_average']:.2f} / {t['load_average']:.2f} |")
    lines += ["", "CE check (same rows: selected-rows SHA-256 equal; tolerance 1e-3 relative):", "",
              "| pair | model | run | ours | torch | relative difference |", "|---|---|---|---:|---:|---:|"]
    for key in ("tiny", "gpt2_small"):
        check = results[key]["ce_check"]
        for row in check["rows"]:
            lines.append(f"| {key} | {row['model']} | {row['run']} | {row['ours']:.6f} | {row['torch']:.6f} | {row['relative_difference']:.1e} |")
        lines.append(f"| {key} | | | | same rows: {check['same_rows']} | {'PASS' if check['passed'] and check['same_rows'] else 'FAIL'} |")
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
             f"Python {m['python']}, OPENBLAS_CORETYPE={m['openblas_coretype']}; {threads} threads everywhere",
             f"load average (1 min): {results['load_average']['start']:.2f} at start, {results['load_average']['end']:.2f} at end",
             "", "## GEMM", ""]
    gemm_lines, gemm_peak, gemm_vs_torch = gemm_table(results["gemm"], threads)
    lines += gemm_lines + ["", "## End-to-end audit", ""] + audit_tables(results)
    lines += ["", "## Scaling (ours)", ""] + scaling_table(results["scaling"])
    lines += ["", "## Profile (ours, stopwatch)", ""] + profile_tables(results["profile"])
    if "gemma" in results:
        lines += ["## Gemma-2-2B-shaped BF16 pair", ""] + gemma_lines(results["gemma"]) + [""]
    ratio = lambda key: results[key]["ours"]["tokens_per_second"] / results[key]["torch"]["tokens_per_second"]
    ratios = (f"ratios: gemm_peak={gemm_peak:.3f} gemm_vs_torch={gemm_vs_torch:.2f} "
              f"audit_vs_torch={ratio('gpt2_small'):.2f} audit_tiny_vs_torch={ratio('tiny'):.2f}")
    return lines, ratios


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
        f.write("\n".join(lines + ["", ratios]) + "\n")
    print("\n".join(lines))
    print(ratios)
    # The ratios stay the last line; a CE mismatch between the implementations still fails the run.
    if not all(bench.results[key]["ce_check"]["passed"] and bench.results[key]["ce_check"]["same_rows"]
               for key in ("tiny", "gpt2_small")):
        sys.exit(1)


if __name__ == "__main__":
    main()
