using System.IO.Compression;
using SaeAudit.Models;
using SaeAudit.Models.Checkpoints;
using SaeAudit.Tensors;

namespace SaeAudit.Saes;

/// <summary>A Gemma Scope SAE: a folder holding only <c>params.npz</c>, a zip of .npy arrays (stored or deflated)
/// W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc [d_sae], b_dec [d_in] and threshold [d_sae]. It is read as
/// SAELens's <c>gemma_2_sae_huggingface_loader</c> reads it: a JumpReLU SAE with <c>apply_b_dec_to_input</c> false,
/// no activation normalization, BOS prepended, context size 1024, member names <c>w_*</c> read as <c>W_*</c>. The
/// file does not record the hook (SAELens infers it from the repository and folder names), so the caller must supply
/// it: the manifest's <c>hook</c>.</summary>
internal static class GemmaScopeParams
{
    public const string FileName = "params.npz";

    private static readonly string[] Members = ["W_enc", "W_dec", "b_enc", "b_dec", "threshold"];

    /// <summary>The configuration the shapes imply, reading only the arrays' headers.</summary>
    public static SaeConfig ReadConfig(string path, HookPoint? hook)
    {
        using var archive = Open(path);
        return ReadConfig(path, hook, MembersOf(path, archive));
    }

    public static SparseAutoencoder Load(string path, HookPoint? hook, IComputeBackend backend)
    {
        using var archive = Open(path);
        var members = MembersOf(path, archive);
        var config = ReadConfig(path, hook, members);
        Tensor Read(string name)
        {
            var entry = members[name];
            using var stream = entry.Open();
            return NpyFile.Read(stream, entry.Length, MemberName(path, entry)).ToFloat32();
        }
        var wEnc = Read("W_enc");
        var bEnc = Read("b_enc");
        var wDec = Read("W_dec");
        var bDec = Read("b_dec");
        var threshold = Read("threshold");
        return new SparseAutoencoder(config, wEnc, bEnc, wDec, bDec, threshold, backend, [path]);
    }

    private static ZipArchive Open(string path)
    {
        try
        {
            return new ZipArchive(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw InvalidInputException.For(path, null, $"is not an .npz (zip) archive ({e.Message})");
        }
    }

    /// <summary>The five arrays by canonical name; a missing or unexpected member is an error naming it.</summary>
    private static Dictionary<string, ZipArchiveEntry> MembersOf(string path, ZipArchive archive)
    {
        var members = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            var name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
            if (name.StartsWith("w_", StringComparison.Ordinal)) name = "W_" + name[2..];
            if (!Members.Contains(name))
                throw InvalidInputException.For(path, $"member '{entry.FullName}'",
                    $"unexpected (a Gemma Scope params.npz holds {string.Join(", ", Members)})");
            members[name] = entry;
        }
        foreach (var name in Members)
            if (!members.ContainsKey(name))
                throw InvalidInputException.For(path, $"member '{name}.npy'",
                    $"missing (the archive has {(members.Count == 0 ? "no arrays" : string.Join(", ", members.Values.Select(e => e.FullName)))})");
        return members;
    }

    private static SaeConfig ReadConfig(string path, HookPoint? hook, Dictionary<string, ZipArchiveEntry> members)
    {
        var shapes = new Dictionary<string, (string DType, int[] Shape)>(StringComparer.Ordinal);
        foreach (var (name, entry) in members)
        {
            using var stream = entry.Open();
            shapes[name] = NpyFile.ReadShape(stream, entry.Length, MemberName(path, entry));
            if (shapes[name].DType[1] != 'f')
                throw InvalidInputException.For(path, $"member '{entry.FullName}'", $"dtype {shapes[name].DType} is not a float type (expected <f4, <f2 or <f8)");
        }
        var encoder = shapes["W_enc"].Shape;
        if (encoder.Length != 2 || encoder[0] == 0 || encoder[1] == 0)
            throw InvalidInputException.For(path, $"member '{members["W_enc"].FullName}'",
                $"shape {Shape(encoder)} is not [d_in, d_sae]");
        int dIn = encoder[0], dSae = encoder[1];
        foreach (var (name, expected) in new (string, int[])[]
                 { ("W_dec", [dSae, dIn]), ("b_enc", [dSae]), ("b_dec", [dIn]), ("threshold", [dSae]) })
            if (!shapes[name].Shape.SequenceEqual(expected))
                throw InvalidInputException.For(path, $"member '{members[name].FullName}'",
                    $"shape {Shape(shapes[name].Shape)} does not match {Shape(expected)} implied by W_enc {Shape(encoder)} (d_in {dIn}, d_sae {dSae})");

        var at = hook ?? throw InvalidInputException.For(path, "hook",
            "a Gemma Scope SAE does not record its hook: set the pair's \"hook\" in the manifest "
            + "(gemma-scope-*-res SAEs read blocks.<L>.hook_resid_post, gemma-scope-*-mlp ones blocks.<L>.hook_mlp_out)");
        return new SaeConfig
        {
            Path = path,
            Architecture = SaeArchitecture.JumpRelu,
            HookName = at.ToString(),
            Hook = at,
            DIn = dIn,
            DSae = dSae,
            DType = shapes["W_enc"].DType[2] switch { '2' => "float16", '8' => "float64", _ => "float32" },
            ApplyBDecToInput = false,
            PrependBos = true,
            ContextSize = 1024,
        };
    }

    private static string MemberName(string path, ZipArchiveEntry entry) => $"{path}: member '{entry.FullName}'";

    private static string Shape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";
}
