using System.Globalization;
using System.Text.RegularExpressions;

namespace SaeAudit.Models;

/// <summary>Where in the residual stream an activation is read or replaced.</summary>
public enum HookKind
{
    /// <summary>Input of block L (HF <c>hidden_states[L]</c>).</summary>
    ResidPre,

    /// <summary>Output of block L (for the last block: before the final norm).</summary>
    ResidPost,

    /// <summary>What block L's attention branch adds to the residual.</summary>
    AttnOut,

    /// <summary>What block L's MLP branch adds to the residual.</summary>
    MlpOut,
}

/// <summary>A hook point in TransformerLens spelling (<c>blocks.L.hook_resid_pre</c>), because SAELens SAEs name
/// their hook that way (SPEC §1).</summary>
public readonly partial record struct HookPoint(int Layer, HookKind Kind)
{
    public static HookPoint Parse(string name) =>
        TryParse(name, out var hook)
            ? hook
            : throw new FormatException(
                $"'{name}' is not a hook name; expected blocks.<L>.hook_resid_pre, hook_resid_post, hook_attn_out or hook_mlp_out");

    public static bool TryParse(string name, out HookPoint hook)
    {
        hook = default;
        var match = HookPattern().Match(name);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var layer))
            return false;
        var kind = match.Groups[2].Value switch
        {
            "resid_pre" => HookKind.ResidPre,
            "resid_post" => HookKind.ResidPost,
            "attn_out" => HookKind.AttnOut,
            _ => HookKind.MlpOut,
        };
        hook = new HookPoint(layer, kind);
        return true;
    }

    public override string ToString() => Kind switch
    {
        HookKind.ResidPre => $"blocks.{Layer}.hook_resid_pre",
        HookKind.ResidPost => $"blocks.{Layer}.hook_resid_post",
        HookKind.AttnOut => $"blocks.{Layer}.hook_attn_out",
        _ => $"blocks.{Layer}.hook_mlp_out",
    };

    /// <summary>Every hook a model with <paramref name="layers"/> blocks offers, in forward order.</summary>
    public static IReadOnlyList<HookPoint> All(int layers)
    {
        var hooks = new List<HookPoint>(layers * 4);
        for (var layer = 0; layer < layers; layer++)
        {
            hooks.Add(new(layer, HookKind.ResidPre));
            hooks.Add(new(layer, HookKind.AttnOut));
            hooks.Add(new(layer, HookKind.MlpOut));
            hooks.Add(new(layer, HookKind.ResidPost));
        }
        return hooks;
    }

    [GeneratedRegex(@"^blocks\.(\d+)\.hook_(resid_pre|resid_post|attn_out|mlp_out)$")]
    private static partial Regex HookPattern();
}
