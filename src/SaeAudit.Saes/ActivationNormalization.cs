namespace SaeAudit.Saes;

/// <summary>SAELens's <c>normalize_activations</c>: how the SAE rescales its input before encoding, and its output back
/// after decoding (<c>run_time_activation_norm_fn_in</c> / <c>_out</c> in <c>sae_lens/saes/sae.py</c>). All four of
/// SAELens's modes are defined by the SAE's own files, so all four are implemented; see docs/saes.md.</summary>
public enum ActivationNormalization
{
    /// <summary>x goes in as it is (<c>"none"</c>, also <c>null</c> and the pre-6.0 <c>false</c>).</summary>
    None,

    /// <summary>A constant s = √d_in / E‖x‖ estimated during training (<c>"expected_average_only_in"</c>, also the pre-6.0
    /// <c>true</c>). SAELens folds s into the weights (W_enc·s, W_dec/s, b_dec/s) when training ends and then saves
    /// <c>"none"</c>, so a folder still saying this mode is an intermediate checkpoint whose s is in the
    /// <c>activation_scaler.json</c> beside it; the weights are folded the same way at load. Without that file the
    /// SAE is rejected: SAELens keeps the factor of its pretrained releases in <c>pretrained_saes.yaml</c>
    /// (<c>norm_scaling_factor</c>), not in the SAE.</summary>
    ExpectedAverageOnlyIn,

    /// <summary>Per token c = √d_in / ‖x‖: the SAE encodes x·c and its reconstruction is divided by c
    /// (<c>"constant_norm_rescale"</c>).</summary>
    ConstantNormRescale,

    /// <summary>Per token, μ = mean(x) and σ = the unbiased standard deviation of x − μ (torch's <c>std</c>): the SAE
    /// encodes (x − μ) / (σ + 1e-5) and its reconstruction x̂ comes back as x̂·σ + μ (<c>"layer_norm"</c>).</summary>
    LayerNorm,
}
