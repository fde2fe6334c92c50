using SaeAudit.Evaluation.Manifests;
using SaeAudit.Models;

namespace SaeAudit.Evaluation.Tests.Manifests;

/// <summary>Every bad manifest is an <see cref="InvalidInputException"/> reading
/// <c>file:line:column: $.json.path: expectation</c>, pointing at the offending value (or key).</summary>
public sealed class ManifestErrorTests : IDisposable
{
    private readonly ManifestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string ManifestPath => _folder.PathOf("manifest.json");

    /// <summary>A manifest whose single pair is the minimal pair with <paramref name="extra"/> fields spliced in
    /// (later keys of the same name would be duplicates, so callers add only fields the minimal pair lacks).</summary>
    private static string WithPair(string extra) => $$"""
        {
          "schema_version": 1,
          "pairs": [
            { "name": "a", "base": "base", "finetune": "ft", "sae": "sae", "dataset": { "path": "data.jsonl" }, "n_tokens": 1000,
              {{extra}} }
          ]
        }
        """;

    private void ExpectError(string json, string marker, string jsonPath, string problem) =>
        _folder.Fail(json).Should().Be($"{ManifestPath}:{ManifestFolder.At(json, marker)}: {jsonPath}: {problem}");

    [Fact]
    public void BadEnumValue_ReadsAsTheIssueExample()
    {
        const string json = """
            {
              "schema_version": 1,
              "pairs": [
                {
                  "name": "a", "base": "base", "finetune": "ft", "sae": "sae", "dataset": { "path": "data.jsonl" }, "n_tokens": 1000,
                  "outliers": { "mode": "median", "k": 3 }
                }
              ]
            }
            """;

        _folder.Fail(json).Should().Be(
            $"{ManifestPath}:6:29: $.pairs[0].outliers.mode: expected one of none, absolute, mean_multiple, median_multiple, got \"median\"");
    }

    [Fact]
    public void MalformedJson_GivesTheLineAndColumnWhereParsingStopped()
    {
        const string json = "{\n  \"schema_version\": 1,\n  \"pairs\": [ { \"name\": \"a\" } }\n}\n";

        _folder.Fail(json).Should().StartWith($"{ManifestPath}:3:30: invalid JSON: ").And.Contain("'}'");
    }

    [Theory]
    [InlineData("")]
    [InlineData("{ \"schema_version\": 1 } {}")]
    [InlineData("{ \"schema_version\": 1, \"pairs\": [ ] ")]
    [InlineData("{ \"schema_version\": 01 }")]
    public void NotJson_IsAnInvalidJsonError(string json) =>
        _folder.Fail(json).Should().MatchRegex($@"^{System.Text.RegularExpressions.Regex.Escape(ManifestPath)}:\d+:\d+: invalid JSON: \S");

    [Fact]
    public void UnknownField_SuggestsTheClosestKnownOne()
    {
        var json = WithPair("\"contex_size\": 64");

        ExpectError(json, "\"contex_size\"", "$.pairs[0].contex_size", "unknown field \"contex_size\"; did you mean \"context_size\"?");
    }

    [Fact]
    public void UnknownField_FarFromAnyKnownOne_ListsTheKnownFields()
    {
        var json = WithPair("""
            "transfer": { "sampled": 3 }
            """);

        ExpectError(json, "\"sampled\"", "$.pairs[0].transfer.sampled",
            "unknown field \"sampled\"; expected one of features, dead_cap, density_range");
    }

    [Fact]
    public void NestedFieldAtPairLevel_SaysWhereItBelongs()
    {
        var json = WithPair("\"k\": 3");

        ExpectError(json, "\"k\"", "$.pairs[0].k", "unknown field \"k\"; it belongs inside \"outliers\"");
    }

    [Fact]
    public void UnknownTopLevelField_IsRejected()
    {
        const string json = """{ "schema_version": 1, "pair": [] }""";

        ExpectError(json, "\"pair\"", "$.pair", "unknown field \"pair\"; did you mean \"pairs\"?");
    }

    [Fact]
    public void NameInDefaults_IsRejected()
    {
        var json = $$"""{ "schema_version": 1, "defaults": { "name": "x" }, "pairs": [ {{ManifestFolder.MinimalPair}} ] }""";

        ExpectError(json, "\"name\": \"x\"", "$.defaults.name", "unknown field \"name\"; each pair names itself, so \"name\" cannot be a default");
    }

    [Fact]
    public void DuplicateKey_IsRejected()
    {
        var json = WithPair("\"seed\": 1, \"seed\": 2");

        _folder.Fail(json).Should().Be(
            $"{ManifestPath}:{ManifestFolder.At(json, "\"seed\": 2")}: $.pairs[0].seed: duplicate field \"seed\" (first at {ManifestFolder.At(json, "\"seed\": 1")})");
    }

    [Theory]
    [InlineData("\"n_tokens_x\": 0", "\"n_tokens_x\"", "$.pairs[0].n_tokens_x", "unknown field \"n_tokens_x\"; did you mean \"n_tokens\"?")]
    [InlineData("\"batch_size\": \"16\"", "\"16\"", "$.pairs[0].batch_size", "expected an integer >= 1, got \"16\"")]
    [InlineData("\"prepend_bos\": 1", "1 }", "$.pairs[0].prepend_bos", "expected true or false, got 1")]
    [InlineData("\"hook\": null", "null", "$.pairs[0].hook", "expected a non-empty string, got null")]
    [InlineData("\"hook\": \"blocks.2.resid\"", "\"blocks.2.resid\"", "$.pairs[0].hook",
        "expected a hook name blocks.<L>.hook_resid_pre, hook_resid_post, hook_attn_out or hook_mlp_out, got \"blocks.2.resid\"")]
    [InlineData("\"outliers\": \"none\"", "\"none\"", "$.pairs[0].outliers", "expected an outliers object ({\"mode\": ...}), got \"none\"")]
    [InlineData("\"gates\": { \"metric\": \"finetune.ce.score\" }", "{ \"metric\"", "$.pairs[0].gates",
        "expected an array of gates ({\"metric\": ..., \"min\": ..., \"max\": ...}), got an object")]
    [InlineData("\"transfer\": { \"density_range\": 0.1 }", "0.1", "$.pairs[0].transfer.density_range",
        "expected [low, high], two numbers from 0 to 1, got 0.1")]
    [InlineData("\"context_size\": 1.5", "1.5", "$.pairs[0].context_size", "expected an integer >= 2, got 1.5")]
    public void WrongType_SaysWhatWasExpected(string extra, string marker, string jsonPath, string problem) =>
        ExpectError(WithPair(extra), marker, jsonPath, problem);

    [Theory]
    [InlineData("\"context_size\": 1", "1 }", "$.pairs[0].context_size", "expected an integer >= 2, got 1")]
    [InlineData("\"context_size\": 3e9", "3e9", "$.pairs[0].context_size", "expected an integer from 2 to 2147483647, got 3e9")]
    [InlineData("\"batch_size\": 0", "0 }", "$.pairs[0].batch_size", "expected an integer >= 1, got 0")]
    [InlineData("\"seed\": -1", "-1", "$.pairs[0].seed", "expected an integer >= 0, got -1")]
    [InlineData("\"seed\": 18446744073709551616", "18446744073709551616", "$.pairs[0].seed",
        "expected an integer from 0 to 18446744073709551615, got 18446744073709551616")]
    [InlineData("\"outliers\": { \"mode\": \"absolute\", \"value\": 0 }", "0 }", "$.pairs[0].outliers.value", "expected a number > 0, got 0")]
    [InlineData("\"outliers\": { \"mode\": \"mean_multiple\", \"k\": -2 }", "-2", "$.pairs[0].outliers.k", "expected a number > 0, got -2")]
    [InlineData("\"outliers\": { \"mode\": \"none\", \"calibration_rows\": 0 }", "0 }", "$.pairs[0].outliers.calibration_rows",
        "expected an integer >= 1, got 0")]
    [InlineData("\"transfer\": { \"features\": 0 }", "0 }", "$.pairs[0].transfer.features", "expected an integer >= 1, got 0")]
    [InlineData("\"transfer\": { \"dead_cap\": -1 }", "-1", "$.pairs[0].transfer.dead_cap", "expected an integer >= 0, got -1")]
    [InlineData("\"transfer\": { \"density_range\": [-0.1, 0.5] }", "-0.1", "$.pairs[0].transfer.density_range[0]",
        "expected a number from 0 to 1, got -0.1")]
    [InlineData("\"transfer\": { \"density_range\": [0, 1.5] }", "1.5", "$.pairs[0].transfer.density_range[1]",
        "expected a number from 0 to 1, got 1.5")]
    [InlineData("\"transfer\": { \"density_range\": [0.5, 0.1] }", "[0.5", "$.pairs[0].transfer.density_range",
        "expected low <= high, got [0.5, 0.1]")]
    [InlineData("\"gates\": [ { \"metric\": \"finetune.ce.score\", \"min\": 1e999 } ]", "1e999", "$.pairs[0].gates[0].min",
        "expected a finite number, got 1e999")]
    [InlineData("\"gates\": [ { \"metric\": \"finetune.ce.score\", \"min\": 2, \"max\": 1 } ]", "1 }", "$.pairs[0].gates[0].max",
        "expected a number >= min (2), got 1")]
    public void OutOfRangeNumber_SaysTheRange(string extra, string marker, string jsonPath, string problem) =>
        ExpectError(WithPair(extra), marker, jsonPath, problem);

    [Theory]
    [InlineData("base")]
    [InlineData("finetune")]
    [InlineData("sae")]
    [InlineData("n_tokens")]
    [InlineData("dataset")]
    public void MissingRequiredField_PointsAtThePair(string field)
    {
        var pair = new Dictionary<string, string>
        {
            ["name"] = "\"a\"", ["base"] = "\"base\"", ["finetune"] = "\"ft\"", ["sae"] = "\"sae\"",
            ["dataset"] = "{ \"path\": \"data.jsonl\" }", ["n_tokens"] = "1000",
        };
        pair.Remove(field);
        var json = $$"""
            { "schema_version": 1,
              "pairs": [ { {{string.Join(", ", pair.Select(entry => $"\"{entry.Key}\": {entry.Value}"))}} } ] }
            """;

        ExpectError(json, "{ \"name\"", "$.pairs[0]", $"missing required field \"{field}\" (set it in this pair or in $.defaults)");
    }

    [Fact]
    public void MissingName_PointsAtThePair()
    {
        const string json = """{ "schema_version": 1, "pairs": [ { "base": "base" } ] }""";

        ExpectError(json, "{ \"base\"", "$.pairs[0]", "missing required field \"name\"");
    }

    [Theory]
    [InlineData("""{ "dataset": { "shuffle": false } }""", "{ \"shuffle\"", "$.defaults.dataset", "missing required field \"path\" (the dataset file)")]
    [InlineData("""{ "outliers": { "k": 2 } }""", "{ \"k\"", "$.defaults.outliers",
        "missing required field \"mode\" (one of none, absolute, mean_multiple, median_multiple)")]
    [InlineData("""{ "outliers": { "mode": "absolute" } }""", "{ \"mode\"", "$.defaults.outliers",
        "missing required field \"value\" for mode absolute (the norm threshold, > 0)")]
    [InlineData("""{ "outliers": { "mode": "median_multiple" } }""", "{ \"mode\"", "$.defaults.outliers",
        "missing required field \"k\" for mode median_multiple (the multiple, > 0)")]
    [InlineData("""{ "gates": [ { "min": 0.9 } ] }""", "{ \"min\"", "$.defaults.gates[0]",
        "missing required field \"metric\" (a result path such as finetune.ce.score)")]
    public void MissingRequiredFieldOfANestedObject_PointsAtThatObject(string defaults, string marker, string jsonPath, string problem)
    {
        var json = $$"""{ "schema_version": 1, "defaults": {{defaults}}, "pairs": [ {{ManifestFolder.MinimalPair}} ] }""";

        ExpectError(json, marker, jsonPath, problem);
    }

    [Theory]
    [InlineData("\"outliers\": { \"mode\": \"absolute\", \"value\": 8, \"k\": 2 }", "\"k\"", "$.pairs[0].outliers.k",
        "\"k\" does not apply to mode absolute, which takes \"value\"")]
    [InlineData("\"outliers\": { \"mode\": \"none\", \"value\": 8 }", "\"value\"", "$.pairs[0].outliers.value",
        "\"value\" does not apply to mode none")]
    public void OutlierParameterOfAnotherMode_IsRejected(string extra, string marker, string jsonPath, string problem) =>
        ExpectError(WithPair(extra), marker, jsonPath, problem);

    [Fact]
    public void DuplicatePairName_IgnoringCase_NamesBothPlaces()
    {
        var json = $$"""
            { "schema_version": 1,
              "defaults": { "base": "base", "finetune": "ft", "sae": "sae", "dataset": { "path": "data.jsonl" }, "n_tokens": 1 },
              "pairs": [ { "name": "Light" },
                         { "name": "light" } ] }
            """;

        ExpectError(json, "\"light\"", "$.pairs[1].name",
            $"duplicate pair name \"light\" (also $.pairs[0].name at {ManifestFolder.At(json, "\"Light\"")}); names must be unique, ignoring case");
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    public void BadPairName_IsRejected(string name)
    {
        var json = $$"""{ "schema_version": 1, "pairs": [ { "name": "{{name}}" } ] }""";

        _folder.Fail(json).Should().StartWith($"{ManifestPath}:{ManifestFolder.At(json, $"\"{name}\"")}: $.pairs[0].name: expected a");
    }

    [Theory]
    [InlineData("base", "base model")]
    [InlineData("finetune", "finetuned model")]
    [InlineData("sae", "SAE")]
    public void MissingReferencedModel_NamesTheFieldAndTheResolvedPath(string field, string what)
    {
        var json = WithPair("\"hook\": \"blocks.0.hook_resid_pre\"").Replace($"\"{field}\": \"{ModelFolder(field)}\"", $"\"{field}\": \"missing-{field}\"");

        ExpectError(json, $"\"missing-{field}\"", $"$.pairs[0].{field}",
            $"{what} not found: {_folder.PathOf($"missing-{field}")} (paths are relative to the manifest's folder)");
    }

    private static string ModelFolder(string field) => field == "finetune" ? "ft" : field;

    [Fact]
    public void MissingDatasetFile_NamesTheFieldAndTheResolvedPath()
    {
        var json = WithPair("\"seed\": 1").Replace("data.jsonl", "missing.jsonl");

        ExpectError(json, "\"missing.jsonl\"", "$.pairs[0].dataset.path",
            $"dataset file not found: {_folder.PathOf("missing.jsonl")} (paths are relative to the manifest's folder)");
    }

    [Fact]
    public void MissingAbsolutePath_GivesNoRelativeHint()
    {
        var absent = _folder.PathOf("absent");
        var json = WithPair("\"seed\": 1").Replace("\"base\": \"base\"", $"\"base\": \"{absent}\"");

        ExpectError(json, $"\"{absent}\"", "$.pairs[0].base", $"base model not found: {absent}");
    }

    [Fact]
    public void MissingFileFromDefaults_PointsAtTheDefaults()
    {
        var json = """{ "schema_version": 1, "defaults": { "sae": "nowhere" }, "pairs": [ { "name": "a" } ] }""";

        ExpectError(json, "\"nowhere\"", "$.defaults.sae",
            $"SAE not found: {_folder.PathOf("nowhere")} (paths are relative to the manifest's folder)");
    }

    [Fact]
    public void UnsupportedDatasetExtension_ListsTheSupportedOnes()
    {
        var json = WithPair("\"seed\": 1").Replace("data.jsonl", "data.csv");

        ExpectError(json, "\"data.csv\"", "$.pairs[0].dataset.path",
            "unsupported dataset extension \".csv\" in \"data.csv\"; expected .jsonl, .txt, .npy or .safetensors");
    }

    [Fact]
    public void DatasetFolder_IsNotADatasetFile()
    {
        Directory.CreateDirectory(_folder.PathOf("folder.jsonl"));
        var json = WithPair("\"seed\": 1").Replace("data.jsonl", "folder.jsonl");

        ExpectError(json, "\"folder.jsonl\"", "$.pairs[0].dataset.path", $"{_folder.PathOf("folder.jsonl")} is a folder; expected a dataset file");
    }

    [Fact]
    public void TextField_OnlyForJsonl()
    {
        var json = WithPair("\"seed\": 1").Replace("{ \"path\": \"data.jsonl\" }", "{ \"path\": \"data.npy\", \"field\": \"text\" }");

        ExpectError(json, "\"field\"", "$.pairs[0].dataset.field", "\"field\" applies only to .jsonl datasets, and this one is .npy");
    }

    [Theory]
    [InlineData("finetune.ce_score", "did you mean \"finetune.ce.score\"?")]
    [InlineData("finetune.sae.explained_varience", "did you mean \"finetune.sae.explained_variance\"?")]
    [InlineData("base.kl.sae_score", "expected one of base.kl.sae, base.kl.zero, base.kl.score")]
    [InlineData("transfer.dead_activation_error.p90",
        "expected one of transfer.dead_activation_error.n, transfer.dead_activation_error.mean")]
    [InlineData("loss", "expected a SPEC §11 result path such as finetune.ce.score or transfer.activation_similarity.mean "
        + "(tokens, activations, base, finetune, densities, transfer, weights)")]
    public void GateWithUnknownMetric_SuggestsKnownOnes(string metric, string hint)
    {
        var json = WithPair($$"""
            "gates": [ { "metric": "{{metric}}", "min": 0 } ]
            """);

        ExpectError(json, $"\"{metric}\"", "$.pairs[0].gates[0].metric", $"unknown metric \"{metric}\"; {hint}");
    }

    [Fact]
    public void GateWithNeitherMinNorMax_IsRejected()
    {
        var json = $$"""
            { "schema_version": 1, "defaults": { "gates": [ { "min": 0.9, "metric": "finetune.ce.score" },
                                                             { "metric": "base.ce.score" } ] },
              "pairs": [ {{ManifestFolder.MinimalPair}} ] }
            """;

        ExpectError(json, "{ \"metric\": \"base", "$.defaults.gates[1]", "a gate needs \"min\", \"max\" or both");
    }

    [Theory]
    [InlineData("2", "2", "expected 1 (the manifest version this saeaudit reads), got 2")]
    [InlineData("\"1\"", "\"1\"", "expected 1 (the manifest version this saeaudit reads), got \"1\"")]
    [InlineData("0.5", "0.5", "expected 1 (the manifest version this saeaudit reads), got 0.5")]
    public void SchemaVersionOtherThanOne_IsRejected_BeforeAnyOtherCheck(string version, string marker, string problem)
    {
        // The unknown field would be an error in version 1; the version is reported first.
        var json = $$"""{ "schema_version": {{version}}, "runs": [] }""";

        ExpectError(json, marker, "$.schema_version", problem);
    }

    [Fact]
    public void MissingSchemaVersion_PointsAtTheManifest()
    {
        var json = $$"""{ "pairs": [ {{ManifestFolder.MinimalPair}} ] }""";

        ExpectError(json, "{ \"pairs\"", "$", "missing required field \"schema_version\" (expected 1)");
    }

    [Theory]
    [InlineData("""{ "schema_version": 1 }""", "{", "$", "missing required field \"pairs\" (an array of pair objects)")]
    [InlineData("""{ "schema_version": 1, "pairs": [] }""", "[]", "$.pairs", "expected a non-empty array of pair objects, got an array")]
    [InlineData("""{ "schema_version": 1, "pairs": [ "a" ] }""", "\"a\"", "$.pairs[0]", "expected a pair object, got \"a\"")]
    [InlineData("""[ 1 ]""", "[", "$", "expected a manifest object, got an array")]
    [InlineData("""{ "schema_version": 1, "$schema": 3, "pairs": [] }""", "3", "$['$schema']", "expected a non-empty string, got 3")]
    public void MisshapenManifest_IsRejected(string json, string marker, string jsonPath, string problem) =>
        ExpectError(json, marker, jsonPath, problem);

    [Fact]
    public void ErrorsComeInFileOrder_APairsOwnFieldsBeforeAnEarlierPairsMissingOnes()
    {
        const string json = """{ "schema_version": 1, "pairs": [ { "name": "a" }, { "name": "b", "seed": -1 } ] }""";

        ExpectError(json, "-1", "$.pairs[1].seed", "expected an integer >= 0, got -1");
    }

    [Fact]
    public void MissingManifest_NamesThePathAsGiven()
    {
        var path = Path.Combine("no-such-folder", "manifest.json");

        FluentActions.Invoking(() => ManifestLoader.Load(path)).Should().Throw<InvalidInputException>()
            .WithMessage($"{path}: manifest not found");
    }

    [Fact]
    public void ManifestPathToAFolder_IsRejected() =>
        FluentActions.Invoking(() => ManifestLoader.Load(_folder.Root)).Should().Throw<InvalidInputException>()
            .WithMessage($"{_folder.Root}: is a folder; expected a manifest .json file");

    [Fact]
    public void ColumnsCountCharacters_NotBytes()
    {
        // "é" is two UTF-8 bytes; the error column must still be the character column an editor shows.
        const string json = """{ "schema_version": 1, "pairs": [ { "name": "é", "x": 1 } ] }""";

        _folder.Fail(json).Should().StartWith($"{ManifestPath}:{ManifestFolder.At(json, "\"x\"")}: $.pairs[0].x: unknown field");
    }
}
