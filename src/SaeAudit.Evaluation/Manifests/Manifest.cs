using System.Security.Cryptography;
using System.Text;

namespace SaeAudit.Evaluation.Manifests;

/// <summary>A loaded, validated manifest: the pairs to audit, in file order.</summary>
public sealed record Manifest
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>Absolute path of the manifest file; relative paths inside it were resolved against its folder.</summary>
    public required string SourcePath { get; init; }

    public required int SchemaVersion { get; init; }

    public required IReadOnlyList<PairSpec> Pairs { get; init; }

    public string Directory => Path.GetDirectoryName(SourcePath)!;

    /// <summary>The resolved manifest in canonical form: <c>{"pairs":[...],"schema_version":1}</c>, each pair as
    /// <see cref="PairSpec.ToCanonicalJson"/> with paths relative to <see cref="Directory"/>. Defaults are already
    /// applied, so manifests that say the same thing differently (whitespace, comments, key order, number spelling,
    /// a value in defaults or in every pair) have the same form; the output loads back as a manifest.</summary>
    public string ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = PairSpec.CreateCanonicalWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(ManifestFields.Pairs);
            foreach (var pair in Pairs) pair.WriteCanonical(writer, Directory);
            writer.WriteEndArray();
            writer.WriteNumber(ManifestFields.SchemaVersion, SchemaVersion);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>SHA-256 (lowercase hex) of the UTF-8 <see cref="ToCanonicalJson"/>, for the results' provenance.</summary>
    public string CanonicalHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson())));
}
