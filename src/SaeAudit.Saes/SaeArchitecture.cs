namespace SaeAudit.Saes;

/// <summary>The SAE activation functions SPEC §4 defines.</summary>
public enum SaeArchitecture
{
    /// <summary>f = ReLU(pre) (SAELens "standard").</summary>
    Standard,

    /// <summary>f = ReLU(TopK_k(pre)): the k largest entries of pre are kept, the rest zeroed.</summary>
    TopK,

    /// <summary>f = pre · 1[pre &gt; threshold], one threshold per feature.</summary>
    JumpRelu,
}
