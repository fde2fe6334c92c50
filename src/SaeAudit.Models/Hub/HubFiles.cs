namespace SaeAudit.Models.Hub;

/// <summary>Which files of a hub folder <see cref="HubResolver"/> fetches. A file marked optional may be absent
/// (the hub's 404 is remembered in the cache's <c>.no_exist</c> folder, as huggingface_hub does).</summary>
public enum HubFiles
{
    /// <summary>A Hugging Face model: <c>config.json</c>; <c>model.safetensors</c>, else
    /// <c>model.safetensors.index.json</c> and every shard its <c>weight_map</c> names; optional <c>tokenizer.json</c>,
    /// <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c>.</summary>
    Model,

    /// <summary>Only a model's <c>config.json</c> (enough to check a manifest before anything large is fetched).</summary>
    ModelConfig,

    /// <summary>An SAE: SAELens (<c>cfg.json</c>, <c>sae_weights.safetensors</c>, optional <c>activation_scaler.json</c>)
    /// or, when the folder has no <c>cfg.json</c>, Gemma Scope (<c>params.npz</c>).</summary>
    Sae,

    /// <summary>What an SAE's configuration is read from: SAELens <c>cfg.json</c> (and optional
    /// <c>activation_scaler.json</c>), or Gemma Scope <c>params.npz</c> (its shapes are the configuration).</summary>
    SaeConfig,

    /// <summary>One file of a dataset repository, which the reference's path names (<c>hf:datasets/owner/name/file</c>).</summary>
    DatasetFile,
}
