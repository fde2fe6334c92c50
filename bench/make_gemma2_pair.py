"""Writes a synthetic Gemma-2-2B-shaped audit pair in BF16 for the memory/speed bench: base and finetune in HF
Gemma2ForCausalLM format with the real google/gemma-2-2b config (2.61 B parameters, 5.2 GB each as BF16), a
SAELens top-k SAE (k 64, d_sae 16384, float32) at blocks.12.hook_resid_post (where Gemma Scope's 16k SAEs sit) and
random pre-tokenized rows.

Weights are random, not trained: every tensor is a run of a 16 M-value pool of N(0, 0.02) BF16 values starting at a
random offset (drawing 2.6 B fresh normals would take minutes and change nothing the bench measures). The finetune is
the base with the lowest mantissa bit of every value flipped (a ~0.4% relative change). Top-k fixes L0 at k whatever
the activations' scale, so the SAE needs no calibration.

usage: make_gemma2_pair.py --out DIR   (writes DIR/base, DIR/finetune, DIR/sae, DIR/tokens.npy; keeps existing ones)
"""
import argparse
import json
import os
import struct

import numpy as np

import safetensors_io

CONFIG = {
    "architectures": ["Gemma2ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "attn_logit_softcapping": 50.0, "bos_token_id": 2, "cache_implementation": "hybrid", "eos_token_id": 1,
    "final_logit_softcapping": 30.0, "head_dim": 256, "hidden_act": "gelu_pytorch_tanh",
    "hidden_activation": "gelu_pytorch_tanh", "hidden_size": 2304, "initializer_range": 0.02,
    "intermediate_size": 9216, "max_position_embeddings": 8192, "model_type": "gemma2", "num_attention_heads": 8,
    "num_hidden_layers": 26, "num_key_value_heads": 4, "pad_token_id": 0, "query_pre_attn_scalar": 256,
    "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "sliding_window": 4096, "torch_dtype": "bfloat16",
    "transformers_version": "4.42.4", "use_cache": True, "vocab_size": 256000,
}
HOOK_LAYER = 12
D_SAE = 16384
TOP_K = 64
CONTEXT = 128
POOL = 1 << 24
CHUNK = 1 << 22  # values written per write() call


def tensor_shapes():
    d, inner, vocab = CONFIG["hidden_size"], CONFIG["intermediate_size"], CONFIG["vocab_size"]
    q = CONFIG["num_attention_heads"] * CONFIG["head_dim"]
    kv = CONFIG["num_key_value_heads"] * CONFIG["head_dim"]
    shapes = {"model.embed_tokens.weight": (vocab, d), "model.norm.weight": (d,)}
    for i in range(CONFIG["num_hidden_layers"]):
        p = f"model.layers.{i}."
        for norm in ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm"):
            shapes[p + norm + ".weight"] = (d,)
        shapes.update({p + "self_attn.q_proj.weight": (q, d), p + "self_attn.k_proj.weight": (kv, d),
                       p + "self_attn.v_proj.weight": (kv, d), p + "self_attn.o_proj.weight": (d, q),
                       p + "mlp.gate_proj.weight": (inner, d), p + "mlp.up_proj.weight": (inner, d),
                       p + "mlp.down_proj.weight": (d, inner)})
    return shapes


def write_model(folder, pool, offsets, flip_low_bit):
    """Streams every tensor from the pool into one BF16 model.safetensors (sorted names, 8-byte padded header)."""
    os.makedirs(folder, exist_ok=True)
    shapes = tensor_shapes()
    header, position = {"__metadata__": {"format": "pt"}}, 0
    for name in sorted(shapes):
        size = int(np.prod(shapes[name])) * 2
        header[name] = {"dtype": "BF16", "shape": list(shapes[name]), "data_offsets": [position, position + size]}
        position += size
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for name in sorted(shapes):
            remaining, at = int(np.prod(shapes[name])), offsets[name]
            while remaining:
                count = min(remaining, CHUNK, POOL - at)
                chunk = pool[at:at + count]
                (chunk ^ np.uint16(1) if flip_low_bit else chunk).tofile(f)
                remaining -= count
                at = (at + count) % POOL
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)


def write_sae(folder, rng):
    d = CONFIG["hidden_size"]
    w_dec = rng.standard_normal((D_SAE, d), dtype=np.float32)
    w_dec /= np.linalg.norm(w_dec, axis=1, keepdims=True)
    os.makedirs(folder, exist_ok=True)
    safetensors_io.write(os.path.join(folder, "sae_weights.safetensors"), {
        "W_enc": np.ascontiguousarray(w_dec.T), "b_enc": np.zeros(D_SAE, np.float32),
        "W_dec": w_dec, "b_dec": np.zeros(d, np.float32)})
    cfg = {"architecture": "topk", "d_in": d, "d_sae": D_SAE, "dtype": "float32", "device": "cpu",
           "model_name": "synthetic gemma-2-2b (bench/make_gemma2_pair.py)",
           "hook_name": f"blocks.{HOOK_LAYER}.hook_resid_post", "hook_layer": HOOK_LAYER, "hook_head_index": None,
           "activation_fn_str": "topk", "activation_fn_kwargs": {"k": TOP_K}, "apply_b_dec_to_input": True,
           "finetuning_scaling_factor": False, "context_size": CONTEXT, "prepend_bos": True,
           "normalize_activations": "none"}
    with open(os.path.join(folder, "cfg.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    if not os.path.exists(os.path.join(args.out, "finetune", "config.json")):
        pool = safetensors_io.bf16_bits(rng.standard_normal(POOL, dtype=np.float32) * np.float32(0.02))
        offsets = {name: int(rng.integers(POOL)) for name in tensor_shapes()}
        write_model(os.path.join(args.out, "base"), pool, offsets, flip_low_bit=False)
        write_model(os.path.join(args.out, "finetune"), pool, offsets, flip_low_bit=True)
        print(f"wrote {args.out}/base and {args.out}/finetune")
    if not os.path.exists(os.path.join(args.out, "sae", "cfg.json")):
        write_sae(os.path.join(args.out, "sae"), rng)
    tokens_path = os.path.join(args.out, "tokens.npy")
    if not os.path.exists(tokens_path):
        # Ids 3.. (0 pad, 1 eos, 2 bos are special), BOS in column 0.
        tokens = rng.integers(3, CONFIG["vocab_size"], size=(args.rows, CONTEXT), dtype=np.int32)
        tokens[:, 0] = CONFIG["bos_token_id"]
        np.save(tokens_path, tokens)


if __name__ == "__main__":
    main()
