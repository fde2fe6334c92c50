"""Writes a synthetic GPT-2-shaped audit pair for the speed bench: base and finetune models in HF GPT2LMHeadModel
format (config.json + model.safetensors, float32), SAELens standard SAEs at blocks.<L>.hook_resid_pre, and a
pre-tokenized dataset of random ids. The weights are random (GPT-2's init scales), so only the shapes and the
sparsity of the SAE are realistic — which is what speed and memory depend on.

usage: make_gpt2_pair.py --out DIR [--layers 12] [--d-model 768] [--d-sae 24576 [4096 ...]]
  DIR/base, DIR/finetune, DIR/tokens.npy (int32 [rows, 128], BOS first), DIR/sae-<d_sae> per --d-sae.
Existing outputs are kept (delete DIR to regenerate).
"""
import argparse
import json
import os

import numpy as np
import torch

import safetensors_io
from torch_audit import Gpt2

VOCAB = 50257
POSITIONS = 1024
CONTEXT = 128
BOS = VOCAB - 1  # <|endoftext|>, GPT-2's bos = eos
FINETUNE_NOISE = 0.002  # absolute std added to every base weight (≈10% of a 0.02-std matrix)
CALIBRATION_ROWS = 16


def gpt2_config(layers, d_model):
    return {
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.0,
        "bos_token_id": BOS, "embd_pdrop": 0.0, "eos_token_id": BOS, "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": POSITIONS, "n_embd": d_model,
        "n_head": d_model // 64, "n_inner": None, "n_layer": layers, "n_positions": POSITIONS,
        "reorder_and_upcast_attn": False, "resid_pdrop": 0.0, "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True, "tie_word_embeddings": True, "torch_dtype": "float32", "vocab_size": VOCAB,
    }


def gpt2_weights(rng, layers, d):
    """HF key names and shapes; GPT-2's init: N(0, 0.02), residual projections scaled by 1/sqrt(2·layers)."""
    def normal(std, *shape):
        return (rng.standard_normal(shape, dtype=np.float32) * np.float32(std))

    projection_std = 0.02 / np.sqrt(2 * layers)
    weights = {"wte.weight": normal(0.02, VOCAB, d), "wpe.weight": normal(0.01, POSITIONS, d),
               "ln_f.weight": np.ones(d, np.float32), "ln_f.bias": np.zeros(d, np.float32)}
    for i in range(layers):
        p = f"h.{i}."
        weights.update({
            p + "ln_1.weight": np.ones(d, np.float32), p + "ln_1.bias": np.zeros(d, np.float32),
            p + "attn.c_attn.weight": normal(0.02, d, 3 * d), p + "attn.c_attn.bias": np.zeros(3 * d, np.float32),
            p + "attn.c_proj.weight": normal(projection_std, d, d), p + "attn.c_proj.bias": np.zeros(d, np.float32),
            p + "ln_2.weight": np.ones(d, np.float32), p + "ln_2.bias": np.zeros(d, np.float32),
            p + "mlp.c_fc.weight": normal(0.02, d, 4 * d), p + "mlp.c_fc.bias": np.zeros(4 * d, np.float32),
            p + "mlp.c_proj.weight": normal(projection_std, 4 * d, d), p + "mlp.c_proj.bias": np.zeros(d, np.float32),
        })
    return weights


def write_model(folder, config, weights):
    os.makedirs(folder, exist_ok=True)
    safetensors_io.write(os.path.join(folder, "model.safetensors"), weights)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


def random_rows(rng, rows):
    """Random ids below BOS (so no special token inside a row), BOS in column 0, as packed rows look."""
    tokens = rng.integers(0, BOS, size=(rows, CONTEXT), dtype=np.int32)
    tokens[:, 0] = BOS
    return tokens


def write_sae(folder, base, hook_layer, d_sae, rng):
    """A standard SAE with unit-norm random decoder rows, W_enc = W_decᵀ, b_dec = the mean activation, and b_enc
    set per feature so it fires on a fraction 10^U(-4,-2) of calibration tokens (L0 ≈ 0.2% of d_sae, like
    SAELens's GPT-2-small residual SAEs) — the sparse decode path depends on a realistic L0."""
    d = base.d
    w_dec = rng.standard_normal((d_sae, d), dtype=np.float32)
    w_dec /= np.linalg.norm(w_dec, axis=1, keepdims=True)
    ids = torch.from_numpy(random_rows(rng, CALIBRATION_ROWS).astype(np.int64))
    with torch.inference_mode():
        x = base.to_hook(ids, hook_layer).reshape(CALIBRATION_ROWS, CONTEXT, d)[:, 1:].reshape(-1, d)
        b_dec = x.mean(0)
        pre = (x - b_dec) @ torch.from_numpy(w_dec.T.copy())
        density = 10 ** torch.empty(d_sae).uniform_(-4, -2, generator=torch.Generator().manual_seed(int(rng.integers(1 << 31))))
        rank = ((1 - density) * (len(x) - 1)).round().long()
        b_enc = -pre.sort(dim=0).values.gather(0, rank[None, :])[0]
    os.makedirs(folder, exist_ok=True)
    safetensors_io.write(os.path.join(folder, "sae_weights.safetensors"), {
        "W_enc": np.ascontiguousarray(w_dec.T), "b_enc": b_enc.numpy().astype(np.float32),
        "W_dec": w_dec, "b_dec": b_dec.numpy().astype(np.float32)})
    hook = f"blocks.{hook_layer}.hook_resid_pre"
    cfg = {"architecture": "standard", "d_in": d, "d_sae": d_sae, "dtype": "float32", "device": "cpu",
           "model_name": "synthetic gpt2 (bench/make_gpt2_pair.py)", "hook_name": hook, "hook_layer": hook_layer,
           "hook_head_index": None, "activation_fn_str": "relu", "activation_fn_kwargs": {},
           "apply_b_dec_to_input": True, "finetuning_scaling_factor": False, "context_size": CONTEXT,
           "prepend_bos": True, "normalize_activations": "none"}
    with open(os.path.join(folder, "cfg.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--d-model", type=int, default=768)
    parser.add_argument("--hook-layer", type=int, default=6)
    parser.add_argument("--d-sae", type=int, nargs="+", default=[24576])
    parser.add_argument("--rows", type=int, default=256, help="rows in tokens.npy (the audit samples from them)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(2)

    base_dir, finetune_dir = os.path.join(args.out, "base"), os.path.join(args.out, "finetune")
    if not os.path.exists(os.path.join(finetune_dir, "config.json")):
        config = gpt2_config(args.layers, args.d_model)
        weights = gpt2_weights(rng, args.layers, args.d_model)
        write_model(base_dir, config, weights)
        finetuned = {name: w + rng.standard_normal(w.shape, dtype=np.float32) * np.float32(FINETUNE_NOISE)
                     for name, w in weights.items()}
        write_model(finetune_dir, config, finetuned)
        print(f"wrote {base_dir} and {finetune_dir}")
    tokens_path = os.path.join(args.out, "tokens.npy")
    if not os.path.exists(tokens_path):
        np.save(tokens_path, random_rows(rng, args.rows))
    base = None
    for d_sae in args.d_sae:
        folder = os.path.join(args.out, f"sae-{d_sae}")
        if os.path.exists(os.path.join(folder, "cfg.json")):
            continue
        base = base or Gpt2(base_dir)
        write_sae(folder, base, args.hook_layer, d_sae, np.random.default_rng([args.seed, d_sae]))
        print(f"wrote {folder}")


if __name__ == "__main__":
    main()
