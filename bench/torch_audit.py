"""The audit pipeline of SPEC §3-§7 for a GPT-2 pair, written plainly with PyTorch ops: the baseline bench/run
compares saeaudit's end-to-end speed and memory against.

For each batch of rows: run both models to the hook once, SAE encode/decode, then the clean, SAE-spliced and
zero-ablated continuations of both models; CE/KL in float64 from float32 logits; activation, SAE and transfer
metrics (scalars only, no histograms); at the end feature sampling, logit similarity and weight differences.
GPT-2 is written by hand (nanoGPT style), float32, no autograd. The rows come from `saeaudit-bench rows`, so both
tools see the same tokens (checked by SHA-256). Outlier filter: none (the bench manifests set it so).

usage: torch_audit.py --base DIR --finetune DIR --sae DIR --rows rows.npy [--threads 2] [--out torch.json]
"""
import argparse
import hashlib
import json
import math
import os
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F

import safetensors_io

MASK64 = (1 << 64) - 1


class Gpt2:
    """HF GPT2LMHeadModel: learned positions, pre-LN blocks, Conv1D weights [in, out], gelu_new, tied lm_head."""

    def __init__(self, folder):
        cfg = json.load(open(os.path.join(folder, "config.json")))
        assert cfg.get("activation_function", "gelu_new") == "gelu_new"
        self.d, self.heads, self.layers = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
        self.eps = cfg.get("layer_norm_epsilon", 1e-5)
        raw = safetensors_io.read_float32(os.path.join(folder, "model.safetensors"))
        self.w = {name.removeprefix("transformer."): torch.from_numpy(np.array(a)) for name, a in raw.items()}

    def embed(self, ids):
        batch, seq = ids.shape
        x = self.w["wte.weight"][ids] + self.w["wpe.weight"][:seq]
        return x.reshape(batch * seq, self.d)

    def block(self, i, x, batch, seq):
        w, p, d, heads = self.w, f"h.{i}.", self.d, self.heads
        head_dim = d // heads
        h = F.layer_norm(x, (d,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], self.eps)
        qkv = torch.addmm(w[p + "attn.c_attn.bias"], h, w[p + "attn.c_attn.weight"])
        q, k, v = (t.reshape(batch, seq, heads, head_dim).transpose(1, 2) for t in qkv.split(d, dim=1))
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(head_dim))
        future = torch.ones(seq, seq, dtype=torch.bool).triu(1)
        attention = scores.masked_fill(future, float("-inf")).softmax(dim=-1) @ v
        attention = attention.transpose(1, 2).reshape(batch * seq, d)
        x = x + torch.addmm(w[p + "attn.c_proj.bias"], attention, w[p + "attn.c_proj.weight"])
        h = F.layer_norm(x, (d,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], self.eps)
        h = F.gelu(torch.addmm(w[p + "mlp.c_fc.bias"], h, w[p + "mlp.c_fc.weight"]), approximate="tanh")
        return x + torch.addmm(w[p + "mlp.c_proj.bias"], h, w[p + "mlp.c_proj.weight"])

    def to_hook(self, ids, layer):
        """blocks.<layer>.hook_resid_pre: the input of block `layer`, [batch·seq, d]."""
        x = self.embed(ids)
        for i in range(layer):
            x = self.block(i, x, *ids.shape)
        return x

    def from_hook(self, x, layer, shape):
        """Logits [batch·seq, vocab] continuing from resid_pre of block `layer`."""
        for i in range(layer, self.layers):
            x = self.block(i, x, *shape)
        x = F.layer_norm(x, (self.d,), self.w["ln_f.weight"], self.w["ln_f.bias"], self.eps)
        return x @ self.w["wte.weight"].T

    @property
    def final_gain(self):
        return self.w["ln_f.weight"]

    @property
    def unembedding(self):
        return self.w["wte.weight"]


class Sae:
    """SAELens standard (ReLU) SAE: f = ReLU((x − b_dec)·W_enc + b_enc), x̂ = f·W_dec + b_dec."""

    def __init__(self, folder):
        self.cfg = json.load(open(os.path.join(folder, "cfg.json")))
        assert self.cfg.get("architecture", "standard") == "standard", "torch_audit.py implements standard SAEs only"
        w = safetensors_io.read_float32(os.path.join(folder, "sae_weights.safetensors"))
        self.w_enc, self.b_enc, self.w_dec, self.b_dec = (torch.from_numpy(np.array(w[k])) for k in ("W_enc", "b_enc", "W_dec", "b_dec"))
        self.apply_b_dec = self.cfg.get("apply_b_dec_to_input", True)
        self.hook_layer = parse_resid_pre_hook(self.cfg["hook_name"])

    def forward(self, x):
        pre = torch.addmm(self.b_enc, x - self.b_dec if self.apply_b_dec else x, self.w_enc)
        features = pre.relu()
        return features, torch.addmm(self.b_dec, features, self.w_dec)


def parse_resid_pre_hook(name):
    parts = name.split(".")
    assert len(parts) == 3 and parts[0] == "blocks" and parts[2] == "hook_resid_pre", f"unsupported hook {name}"
    return int(parts[1])


class ActivationStats:
    """SPEC §3: cos and distance between the base and finetune activations over kept tokens."""

    def __init__(self):
        self.n, self.cos, self.cos2, self.dist, self.dist2 = 0, 0.0, 0.0, 0.0, 0.0

    def add(self, x_base, x_finetune):
        b, f = x_base.double(), x_finetune.double()
        cos = (b * f).sum(1) / (b.norm(dim=1) * f.norm(dim=1))
        dist = (b - f).norm(dim=1)
        self.n += len(cos)
        self.cos += cos.sum().item(); self.cos2 += (cos * cos).sum().item()
        self.dist += dist.sum().item(); self.dist2 += (dist * dist).sum().item()

    def result(self):
        mean_cos, mean_dist = self.cos / self.n, self.dist / self.n
        return {"cos_mean": mean_cos, "cos_std": math.sqrt(max(self.cos2 / self.n - mean_cos ** 2, 0)),
                "dist_mean": mean_dist, "dist_std": math.sqrt(max(self.dist2 / self.n - mean_dist ** 2, 0))}


class SaeStats:
    """SPEC §4 for one model over its kept tokens, float64."""

    def __init__(self, d, d_sae):
        self.n, self.l0, self.l1, self.sq_err, self.legacy, self.cos, self.l2 = 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0
        self.sum_x = torch.zeros(d, dtype=torch.float64)
        self.sum_x2 = torch.zeros(d, dtype=torch.float64)
        self.counts = torch.zeros(d_sae, dtype=torch.int64)

    def add(self, x, features, reconstruction):
        x, xh = x.double(), reconstruction.double()
        active = features > 0
        err = ((x - xh) ** 2).sum(1)
        norm_x, norm_xh = x.norm(dim=1), xh.norm(dim=1)
        self.n += len(x)
        self.l0 += active.sum().item()
        self.l1 += features.double().abs().sum().item()
        self.sq_err += err.sum().item()
        self.legacy += (1 - err / ((x - x.mean(0)) ** 2).sum(1)).sum().item()
        self.cos += ((x * xh).sum(1) / (norm_x * norm_xh)).sum().item()
        self.l2 += (norm_xh / norm_x).sum().item()
        self.sum_x += x.sum(0); self.sum_x2 += (x * x).sum(0)
        self.counts += active.sum(0)

    def result(self):
        n, d = self.n, len(self.sum_x)
        pooled = (self.sum_x2 - self.sum_x ** 2 / n).sum().item()
        flat = self.sum_x2.sum().item() - self.sum_x.sum().item() ** 2 / (n * d)
        density = self.counts.double() / n
        return {"l0": self.l0 / n, "l1": self.l1 / n, "mse": self.sq_err / n,
                "explained_variance": 1 - self.sq_err / pooled, "explained_variance_legacy": self.legacy / n,
                "r2_flat": 1 - self.sq_err / flat, "cos_rec": self.cos / n, "l2_ratio": self.l2 / n,
                "dead_fraction": (self.counts == 0).double().mean().item(),
                "dense_fraction": (density > 0.1).double().mean().item()}


class TransferSums:
    """SPEC §6 streaming sums per feature over kept tokens: Pearson terms and the dead-feature log error."""

    def __init__(self, d_sae):
        self.n = 0
        self.sums = torch.zeros(5, d_sae, dtype=torch.float64)  # Σb, Σf, Σb², Σf², Σbf
        self.log_error = torch.zeros(d_sae, dtype=torch.float64)

    def add(self, f_base, f_finetune):
        b, f = f_base.double(), f_finetune.double()
        self.n += len(b)
        self.sums += torch.stack([b.sum(0), f.sum(0), (b * b).sum(0), (f * f).sum(0), (b * f).sum(0)])
        rows, columns = ((b > 0) | (f > 0)).nonzero(as_tuple=True)
        error = (torch.log10(b[rows, columns] + 1e-10) - torch.log10(f[rows, columns] + 1e-10)).abs()
        self.log_error.index_add_(0, columns, error)

    def pearson(self, features):
        n = self.n
        sb, sf, sbb, sff, sbf = self.sums[:, features]
        cov = sbf - sb * sf / n
        return cov / torch.sqrt((sbb - sb * sb / n) * (sff - sf * sf / n))


class Loss:
    """SPEC §5 for one model: CE of the clean / SAE / zero runs and KL(p_clean ‖ p_x), float64."""

    def __init__(self):
        self.n, self.ce = 0, {"clean": 0.0, "sae": 0.0, "zero": 0.0}
        self.kl = {"sae": 0.0, "zero": 0.0}

    def add(self, logits, positions, targets):
        log_clean = F.log_softmax(logits["clean"][positions].double(), dim=-1)
        p_clean = log_clean.exp()
        self.n += len(positions)
        self.ce["clean"] -= log_clean.gather(1, targets[:, None]).sum().item()
        for run in ("sae", "zero"):
            log_p = F.log_softmax(logits[run][positions].double(), dim=-1)
            self.ce[run] -= log_p.gather(1, targets[:, None]).sum().item()
            self.kl[run] += (p_clean * (log_clean - log_p)).sum().item()

    def result(self):
        ce = {k: v / self.n for k, v in self.ce.items()}
        kl = {k: v / self.n for k, v in self.kl.items()}
        ce.update(delta=ce["sae"] - ce["clean"], score=(ce["zero"] - ce["sae"]) / (ce["zero"] - ce["clean"]))
        kl.update(score=1 - kl["sae"] / kl["zero"])
        return {"ce": ce, "kl": kl}


def splitmix_sample(candidates, count, seed):
    """SPEC §2/§6: shuffle the ascending list with SplitMix64(seed), take the first `count`, sort ascending."""
    items, state = list(candidates), seed & MASK64
    for i in range(len(items) - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        j = (z ^ (z >> 31)) % (i + 1)
        items[i], items[j] = items[j], items[i]
    return sorted(items[:count])


def pearson_rows(a, b):
    a = a - a.mean(1, keepdim=True)
    b = b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1))


def transfer_result(sums, counts_base, counts_finetune, sae, base, finetune, seed, features=1000, dead_cap=1000):
    n = sums.n
    rho_b, rho_f = counts_base.double() / n, counts_finetune.double() / n
    regular = ((rho_b >= 1e-5) & (rho_b <= 0.1) & (rho_f >= 1e-5) & (rho_f <= 0.1)).nonzero().flatten().tolist()
    sampled = splitmix_sample(regular, features, seed + 1)
    activation = sums.pearson(sampled)
    decoder = sae.w_dec[sampled].double()
    logits_b = (decoder * base.final_gain.double()) @ base.unembedding.double().T
    logits_f = (decoder * finetune.final_gain.double()) @ finetune.unembedding.double().T
    logit = pearson_rows(logits_b, logits_f)
    born = splitmix_sample(((counts_base == 0) & (counts_finetune > 0)).nonzero().flatten().tolist(), dead_cap, seed + 2)
    died = splitmix_sample(((counts_base > 0) & (counts_finetune == 0)).nonzero().flatten().tolist(), dead_cap, seed + 2)
    dead_error = sums.log_error[born + died] / n
    defined = activation[~activation.isnan()]
    return {"activation_similarity": {"n": len(sampled), "mean": defined.mean().item(), "median": defined.quantile(0.5).item()},
            "logit_similarity": {"mean": logit[~logit.isnan()].mean().item()},
            "dead_activation_error": {"n": len(dead_error), "mean": dead_error.mean().item() if len(dead_error) else None}}


def weight_difference(base, finetune):
    changes = {}
    for name, w_base in base.w.items():
        if name in finetune.w:
            changes[name] = ((finetune.w[name].double() - w_base.double()).norm() / w_base.double().norm()).item()
    ratio = (finetune.unembedding.double().norm() / base.unembedding.double().norm()).item()
    return {"unembed_norm_ratio": ratio, "max_relative_change": max(changes.values())}


def audit(args):
    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    rows = np.load(args.rows)
    sidecar = json.load(open(os.path.splitext(args.rows)[0] + ".json"))
    sha = hashlib.sha256(rows.astype("<i4").tobytes()).hexdigest()
    base, finetune, sae = Gpt2(args.base), Gpt2(args.finetune), Sae(args.sae)
    layer = sae.hook_layer
    special_ids = torch.tensor(sidecar["special_ids"])
    context, batch_size = rows.shape[1], sidecar["batch_size"]

    activations = ActivationStats()
    stats = {"base": SaeStats(base.d, sae.w_enc.shape[1]), "finetune": SaeStats(base.d, sae.w_enc.shape[1])}
    losses = {"base": Loss(), "finetune": Loss()}
    transfer = TransferSums(sae.w_enc.shape[1])
    for first in range(0, len(rows), batch_size):
        ids = torch.from_numpy(rows[first:first + batch_size].astype(np.int64))
        flat = ids.flatten()
        kept = ~torch.isin(flat, special_ids)
        position = torch.arange(len(flat)) % context
        loss_positions = ((position >= 1) & (position <= context - 2) & kept).nonzero().flatten()
        targets = flat[loss_positions + 1]

        x = {"base": base.to_hook(ids, layer), "finetune": finetune.to_hook(ids, layer)}
        activations.add(x["base"][kept], x["finetune"][kept])
        features, reconstruction = {}, {}
        for name in x:
            features[name], reconstruction[name] = sae.forward(x[name])
            stats[name].add(x[name][kept], features[name][kept], reconstruction[name][kept])
        transfer.add(features["base"][kept], features["finetune"][kept])
        for name, model in (("base", base), ("finetune", finetune)):
            spliced = torch.where(kept[:, None], reconstruction[name], x[name])
            logits = {run: model.from_hook(sub, layer, ids.shape)
                      for run, sub in (("clean", x[name]), ("sae", spliced), ("zero", torch.zeros_like(x[name])))}
            losses[name].add(logits, loss_positions, targets)
            del logits

    result = {name: {"sae": stats[name].result(), **losses[name].result()} for name in stats}
    result["activations"] = activations.result()
    result["transfer"] = transfer_result(transfer, stats["base"].counts, stats["finetune"].counts, sae, base, finetune,
                                         sidecar["seed"])
    result["weights"] = weight_difference(base, finetune)
    seconds = time.perf_counter() - started
    tokens = rows.shape[0] * rows.shape[1]
    return {"tokens": tokens, "wall_seconds": seconds, "tokens_per_second": tokens / seconds,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "threads": args.threads, "torch": torch.__version__, "selected_rows_sha256": sha, "metrics": result}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True)
    parser.add_argument("--finetune", required=True)
    parser.add_argument("--sae", required=True)
    parser.add_argument("--rows", required=True, help="int32 .npy [rows, context] from `saeaudit-bench rows` (+ its .json)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="torch_audit.json")
    args = parser.parse_args()
    with torch.inference_mode():
        result = audit(args)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"torch audit: {result['tokens']} tokens in {result['wall_seconds']:.1f} s = {result['tokens_per_second']:.1f} tokens/s, "
          f"peak RSS {result['peak_rss_bytes'] / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
