using SaeAudit.Evaluation.Sampling;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SaeAudit.Models;
using F = SaeAudit.Evaluation.Manifests.ManifestFields;

namespace SaeAudit.Evaluation.Manifests;

/// <summary>Reads and validates a manifest (schema_version 1; see <c>schemas/manifest.schema.json</c>).
/// Every problem is an <see cref="InvalidInputException"/> whose message reads
/// <c>file:line:column: $.json.path: what was expected, got what</c>.</summary>
/// <remarks>
/// Merging: a pair inherits every field it leaves out from <c>defaults</c>. A field the pair sets replaces the
/// default; <c>dataset</c>, <c>outliers</c> and <c>transfer</c> are replaced as a whole, not key by key, because
/// their keys depend on each other (<c>field</c> on the dataset's extension, <c>k</c>/<c>value</c> on the mode).
/// <c>gates</c> add up: the defaults' gates apply to every pair, followed by the pair's own.
/// Paths resolve against the manifest's folder; strings starting with <c>hf:</c> are kept for the hub loader.
/// </remarks>
public static partial class ManifestLoader
{
    public const string HubPrefix = "hf:";

    public static bool IsHubReference(string path) => path.StartsWith(HubPrefix, StringComparison.Ordinal);

    /// <summary>Loads the manifest at <paramref name="path"/>; errors name the path as given.</summary>
    public static Manifest Load(string path)
    {
        if (Directory.Exists(path))
            throw InvalidInputException.For(path, null, "is a folder; expected a manifest .json file");
        byte[] utf8;
        try
        {
            utf8 = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw InvalidInputException.For(path, null, "manifest not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InvalidInputException.For(path, null, $"cannot read the manifest: {e.Message}");
        }
        return new Parser(path).Parse(utf8);
    }

    /// <summary>Parses manifest text as if read from <paramref name="sourcePath"/>: errors name that path and
    /// relative paths resolve against its folder (the file itself need not exist).</summary>
    public static Manifest Parse(string json, string sourcePath) => new Parser(sourcePath).Parse(Encoding.UTF8.GetBytes(json));

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex PairNamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainKeyPattern();

    /// <summary>A pair's name and where it was written, for the duplicate-name error.</summary>
    private sealed record PairName(string Value, string Path, SourcePosition Position);

    /// <summary>The fields one object (the defaults or a pair) sets; null = not set there.</summary>
    private sealed class PairFields(SourceObject node, string path)
    {
        public SourceObject Node { get; } = node;
        public string Path { get; } = path;
        public PairName? Name { get; set; }
        public string? Base { get; set; }
        public string? Finetune { get; set; }
        public string? Sae { get; set; }
        public HookPoint? Hook { get; set; }
        public DatasetSpec? Dataset { get; set; }
        public int? ContextSize { get; set; }
        public long? NTokens { get; set; }
        public int? BatchSize { get; set; }
        public ulong? Seed { get; set; }
        public bool? PrependBos { get; set; }
        public OutlierSpec? Outliers { get; set; }
        public TransferSpec? Transfer { get; set; }
        public List<GateSpec> Gates { get; } = [];
    }

    /// <summary>An object's members by name, duplicates rejected (JSON allows them; silently keeping the last one
    /// would hide a mistake).</summary>
    private sealed class ObjectFields
    {
        private readonly Parser _parser;
        private readonly Dictionary<string, SourceMember> _members = new(StringComparer.Ordinal);

        public ObjectFields(Parser parser, SourceObject node, string path)
        {
            (_parser, Node, Path) = (parser, node, path);
            foreach (var member in node.Members)
                if (!_members.TryAdd(member.Name, member))
                    throw parser.Error(member.NamePosition, ChildPath(path, member.Name),
                        $"duplicate field \"{member.Name}\" (first at {_members[member.Name].NamePosition})");
        }

        public SourceObject Node { get; }
        public string Path { get; }

        public bool TryGet(string name, out SourceNode value, out string path)
        {
            path = ChildPath(Path, name);
            var found = _members.TryGetValue(name, out var member);
            value = member?.Value!;
            return found;
        }

        /// <summary>Rejects every member not in <paramref name="known"/>, suggesting the closest known name.</summary>
        public void RejectUnknown(IReadOnlyList<string> known, Func<string, string?>? explain = null)
        {
            foreach (var member in Node.Members.Where(member => !known.Contains(member.Name)))
            {
                var hint = explain?.Invoke(member.Name)
                    ?? (Suggest(member.Name, known, member.Name.Length / 3) is { } close
                        ? $"did you mean \"{close}\"?"
                        : $"expected one of {string.Join(", ", known)}");
                throw _parser.Error(member.NamePosition, ChildPath(Path, member.Name), $"unknown field \"{member.Name}\"; {hint}");
            }
        }

        public SourceMember Member(string name) => _members[name];
    }

    private sealed class Parser(string displayPath)
    {
        private static readonly Dictionary<string, string> NestedHome = new(StringComparer.Ordinal)
        {
            [F.Path] = F.Dataset, [F.Field] = F.Dataset, [F.Shuffle] = F.Dataset,
            [F.Mode] = F.Outliers, [F.Value] = F.Outliers, [F.K] = F.Outliers, [F.CalibrationRows] = F.Outliers,
            [F.Features] = F.Transfer, [F.DeadCap] = F.Transfer, [F.DensityRange] = F.Transfer,
            [F.Metric] = F.Gates, [F.Min] = F.Gates, [F.Max] = F.Gates,
        };

        private static readonly Dictionary<string, DatasetFormat> DatasetExtensions = new(StringComparer.OrdinalIgnoreCase)
        {
            [".jsonl"] = DatasetFormat.Jsonl, [".txt"] = DatasetFormat.Text, [".npy"] = DatasetFormat.Npy,
            [".safetensors"] = DatasetFormat.Safetensors,
        };

        private readonly string _sourcePath = Path.GetFullPath(displayPath);
        private string Folder => Path.GetDirectoryName(_sourcePath)!;

        public InvalidInputException Error(SourcePosition position, string? jsonPath, string problem) =>
            InvalidInputException.For($"{displayPath}:{position}", jsonPath, problem);

        private InvalidInputException Expected(SourceNode node, string jsonPath, string expectation) =>
            Error(node.Position, jsonPath, $"expected {expectation}, got {node.Describe()}");

        public Manifest Parse(byte[] utf8)
        {
            SourceNode root;
            try
            {
                root = SourceJson.Parse(utf8);
            }
            catch (SourceSyntaxException e)
            {
                throw Error(e.Position, null, $"invalid JSON: {e.Message}");
            }
            var manifest = Fields(root, "$", "a manifest object");

            // The version first: a newer manifest should fail on its version, not on fields this version lacks.
            if (!manifest.TryGet(F.SchemaVersion, out var versionNode, out var versionPath))
                throw Error(root.Position, "$", $"missing required field \"{F.SchemaVersion}\" (expected {Manifest.CurrentSchemaVersion})");
            if (versionNode is not SourceNumber version || !version.TryGetWholeNumber(out var versionValue)
                || versionValue != Manifest.CurrentSchemaVersion)
                throw Expected(versionNode, versionPath, $"{Manifest.CurrentSchemaVersion} (the manifest version this saeaudit reads)");
            manifest.RejectUnknown(F.ForManifest);

            if (manifest.TryGet(F.SchemaKey, out var schemaNode, out var schemaPath)) ReadString(schemaNode, schemaPath);
            var defaults = manifest.TryGet(F.Defaults, out var defaultsNode, out var defaultsPath)
                ? ReadPairFields(defaultsNode, defaultsPath, isDefaults: true)
                : null;

            if (!manifest.TryGet(F.Pairs, out var pairsNode, out var pairsPath))
                throw Error(root.Position, "$", $"missing required field \"{F.Pairs}\" (an array of pair objects)");
            if (pairsNode is not SourceArray { Items.Count: > 0 } pairsArray)
                throw Expected(pairsNode, pairsPath, "a non-empty array of pair objects");

            // Every pair's own fields are checked before names and merging: a bad value is reported before a field
            // that only turns out missing once defaults are applied.
            var pairs = pairsArray.Items.Select((item, i) => ReadPairFields(item, $"{pairsPath}[{i}]", isDefaults: false)).ToList();
            var names = new Dictionary<string, PairName>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in pairs.Select(pair => pair.Name!))
            {
                // Case-insensitive: pair names become file names, and some file systems ignore case.
                if (names.TryGetValue(name.Value, out var first))
                    throw Error(name.Position, name.Path,
                        $"duplicate pair name \"{name.Value}\" (also {first.Path} at {first.Position}); names must be unique, ignoring case");
                names.Add(name.Value, name);
            }
            return new Manifest
            {
                SourcePath = _sourcePath,
                SchemaVersion = Manifest.CurrentSchemaVersion,
                Pairs = pairs.Select(pair => Merge(pair, defaults)).ToList(),
            };
        }

        private PairSpec Merge(PairFields pair, PairFields? defaults)
        {
            T Required<T>(T? own, T? inherited, string field) where T : class =>
                own ?? inherited ?? throw MissingInPair(pair, field);
            return new PairSpec
            {
                Name = pair.Name!.Value,
                Base = Required(pair.Base, defaults?.Base, F.Base),
                Finetune = Required(pair.Finetune, defaults?.Finetune, F.Finetune),
                Sae = Required(pair.Sae, defaults?.Sae, F.Sae),
                Hook = pair.Hook ?? defaults?.Hook,
                Dataset = Required(pair.Dataset, defaults?.Dataset, F.Dataset),
                ContextSize = pair.ContextSize ?? defaults?.ContextSize ?? PairSpec.DefaultContextSize,
                NTokens = pair.NTokens ?? defaults?.NTokens ?? throw MissingInPair(pair, F.NTokens),
                BatchSize = pair.BatchSize ?? defaults?.BatchSize ?? PairSpec.DefaultBatchSize,
                Seed = pair.Seed ?? defaults?.Seed ?? 0,
                PrependBos = pair.PrependBos ?? defaults?.PrependBos,
                Outliers = pair.Outliers ?? defaults?.Outliers ?? OutlierSpec.None,
                Transfer = pair.Transfer ?? defaults?.Transfer ?? TransferSpec.Default,
                Gates = [.. defaults?.Gates ?? Enumerable.Empty<GateSpec>(), .. pair.Gates],
            };
        }

        private InvalidInputException MissingInPair(PairFields pair, string field) =>
            Error(pair.Node.Position, pair.Path, $"missing required field \"{field}\" (set it in this pair or in $.{F.Defaults})");

        private PairFields ReadPairFields(SourceNode node, string path, bool isDefaults)
        {
            var fields = Fields(node, path, isDefaults ? "an object of pair fields" : "a pair object");
            fields.RejectUnknown(isDefaults ? F.ForDefaults : F.ForPair, name =>
                isDefaults && name == F.Name ? $"each pair names itself, so \"{F.Name}\" cannot be a default"
                : NestedHome.TryGetValue(name, out var home) ? $"it belongs inside \"{home}\""
                : null);
            var pair = new PairFields(fields.Node, path);

            if (!isDefaults)
            {
                if (!fields.TryGet(F.Name, out var nameNode, out var namePath))
                    throw Error(node.Position, path, $"missing required field \"{F.Name}\"");
                var name = ReadString(nameNode, namePath);
                if (!PairNamePattern().IsMatch(name))
                    throw Expected(nameNode, namePath, "a name of letters, digits, '.', '_' and '-'");
                pair.Name = new PairName(name, namePath, nameNode.Position);
            }
            if (fields.TryGet(F.Base, out var value, out var valuePath)) pair.Base = ReadModelPath(value, valuePath, "base model");
            if (fields.TryGet(F.Finetune, out value, out valuePath)) pair.Finetune = ReadModelPath(value, valuePath, "finetuned model");
            if (fields.TryGet(F.Sae, out value, out valuePath)) pair.Sae = ReadModelPath(value, valuePath, "SAE");
            if (fields.TryGet(F.Hook, out value, out valuePath)) pair.Hook = ReadHook(value, valuePath);
            if (fields.TryGet(F.Dataset, out value, out valuePath)) pair.Dataset = ReadDataset(value, valuePath);
            if (fields.TryGet(F.ContextSize, out value, out valuePath)) pair.ContextSize = (int)ReadInteger(value, valuePath, 2, int.MaxValue);
            if (fields.TryGet(F.NTokens, out value, out valuePath)) pair.NTokens = (long)ReadInteger(value, valuePath, 1, long.MaxValue);
            if (fields.TryGet(F.BatchSize, out value, out valuePath)) pair.BatchSize = (int)ReadInteger(value, valuePath, 1, int.MaxValue);
            if (fields.TryGet(F.Seed, out value, out valuePath)) pair.Seed = (ulong)ReadInteger(value, valuePath, 0, ulong.MaxValue);
            if (fields.TryGet(F.PrependBos, out value, out valuePath)) pair.PrependBos = ReadBool(value, valuePath);
            if (fields.TryGet(F.Outliers, out value, out valuePath)) pair.Outliers = ReadOutliers(value, valuePath);
            if (fields.TryGet(F.Transfer, out value, out valuePath)) pair.Transfer = ReadTransfer(value, valuePath);
            if (fields.TryGet(F.Gates, out value, out valuePath)) pair.Gates.AddRange(ReadGates(value, valuePath));
            return pair;
        }

        private DatasetSpec ReadDataset(SourceNode node, string path)
        {
            var fields = Fields(node, path, "a dataset object ({\"path\": ...})");
            fields.RejectUnknown(F.ForDataset);
            if (!fields.TryGet(F.Path, out var pathNode, out var pathPath))
                throw Error(node.Position, path, $"missing required field \"{F.Path}\" (the dataset file)");
            var raw = ReadString(pathNode, pathPath);
            // The extension decides how the file is read, so check it before whether the file exists.
            if (!DatasetExtensions.TryGetValue(Path.GetExtension(raw), out var kind))
                throw Error(pathNode.Position, pathPath,
                    $"unsupported dataset extension \"{Path.GetExtension(raw)}\" in {pathNode.Describe()}; expected .jsonl, .txt, .npy or .safetensors");
            var resolved = ResolvePath(raw, pathNode, pathPath);
            if (!IsHubReference(resolved) && !File.Exists(resolved))
                throw Error(pathNode.Position, pathPath,
                    Directory.Exists(resolved) ? $"{resolved} is a folder; expected a dataset file" : NotFound("dataset file", raw, resolved));

            string? textField = null;
            if (fields.TryGet(F.Field, out var fieldNode, out var fieldPath))
            {
                if (kind != DatasetFormat.Jsonl)
                    throw Error(fields.Member(F.Field).NamePosition, fieldPath,
                        $"\"{F.Field}\" applies only to .jsonl datasets, and this one is {Path.GetExtension(raw)}");
                textField = ReadString(fieldNode, fieldPath);
            }
            else if (kind == DatasetFormat.Jsonl)
                textField = DatasetSpec.DefaultField;

            var shuffle = !fields.TryGet(F.Shuffle, out var shuffleNode, out var shufflePath) || ReadBool(shuffleNode, shufflePath);
            return new DatasetSpec(resolved, kind, textField, shuffle);
        }

        private OutlierSpec ReadOutliers(SourceNode node, string path)
        {
            var fields = Fields(node, path, "an outliers object ({\"mode\": ...})");
            fields.RejectUnknown(F.ForOutliers);
            var modes = string.Join(", ", OutlierSpec.ModeNames);
            if (!fields.TryGet(F.Mode, out var modeNode, out var modePath))
                throw Error(node.Position, path, $"missing required field \"{F.Mode}\" (one of {modes})");
            if (modeNode is not SourceString modeName || !OutlierSpec.TryParseMode(modeName.Value, out var mode))
                throw Expected(modeNode, modePath, $"one of {modes}");

            // Exactly the parameter the mode uses: a stray k on an absolute filter is a mistake, not a no-op.
            var parameter = mode switch { OutlierMode.Absolute => F.Value, OutlierMode.None => null, _ => F.K };
            foreach (var name in new[] { F.Value, F.K }.Where(name => name != parameter && fields.TryGet(name, out _, out _)))
                throw Error(fields.Member(name).NamePosition, ChildPath(path, name),
                    $"\"{name}\" does not apply to mode {OutlierSpec.NameOf(mode)}"
                    + (parameter is null ? "" : $", which takes \"{parameter}\""));
            double? threshold = null;
            if (parameter is not null)
            {
                if (!fields.TryGet(parameter, out var parameterNode, out var parameterPath))
                    throw Error(node.Position, path,
                        $"missing required field \"{parameter}\" for mode {OutlierSpec.NameOf(mode)} "
                        + (mode == OutlierMode.Absolute ? "(the norm threshold, > 0)" : "(the multiple, > 0)"));
                threshold = ReadNumber(parameterNode, parameterPath, "a number > 0", x => x > 0);
            }
            var calibrationRows = fields.TryGet(F.CalibrationRows, out var rowsNode, out var rowsPath)
                ? (int)ReadInteger(rowsNode, rowsPath, 1, int.MaxValue)
                : OutlierSpec.DefaultCalibrationRows;
            return new OutlierSpec(mode, mode == OutlierMode.Absolute ? threshold : null,
                mode is OutlierMode.MeanMultiple or OutlierMode.MedianMultiple ? threshold : null, calibrationRows);
        }

        private TransferSpec ReadTransfer(SourceNode node, string path)
        {
            var fields = Fields(node, path, "a transfer object");
            fields.RejectUnknown(F.ForTransfer);
            var defaults = TransferSpec.Default;
            var features = fields.TryGet(F.Features, out var value, out var valuePath)
                ? (int)ReadInteger(value, valuePath, 1, int.MaxValue) : defaults.Features;
            var deadCap = fields.TryGet(F.DeadCap, out value, out valuePath)
                ? (int)ReadInteger(value, valuePath, 0, int.MaxValue) : defaults.DeadCap;
            var (low, high) = (defaults.DensityLow, defaults.DensityHigh);
            if (fields.TryGet(F.DensityRange, out value, out valuePath))
            {
                if (value is not SourceArray { Items.Count: 2 } range)
                    throw Expected(value, valuePath, "[low, high], two numbers from 0 to 1");
                low = ReadNumber(range.Items[0], $"{valuePath}[0]", "a number from 0 to 1", x => x is >= 0 and <= 1);
                high = ReadNumber(range.Items[1], $"{valuePath}[1]", "a number from 0 to 1", x => x is >= 0 and <= 1);
                if (low > high)
                    throw Error(range.Position, valuePath,
                        string.Create(CultureInfo.InvariantCulture, $"expected low <= high, got [{low:R}, {high:R}]"));
            }
            return new TransferSpec(features, deadCap, low, high);
        }

        private IEnumerable<GateSpec> ReadGates(SourceNode node, string path)
        {
            if (node is not SourceArray gates) throw Expected(node, path, "an array of gates ({\"metric\": ..., \"min\": ..., \"max\": ...})");
            for (var i = 0; i < gates.Items.Count; i++)
            {
                var gatePath = $"{path}[{i}]";
                var fields = Fields(gates.Items[i], gatePath, "a gate object ({\"metric\": ..., \"min\": ..., \"max\": ...})");
                fields.RejectUnknown(F.ForGate);
                if (!fields.TryGet(F.Metric, out var metricNode, out var metricPath))
                    throw Error(fields.Node.Position, gatePath, $"missing required field \"{F.Metric}\" (a result path such as finetune.ce.score)");
                var metric = ReadString(metricNode, metricPath);
                if (!MetricPaths.All.Contains(metric))
                    throw Error(metricNode.Position, metricPath, $"unknown metric {metricNode.Describe()}; {MetricHint(metric)}");
                double? min = fields.TryGet(F.Min, out var minNode, out var minPath)
                    ? ReadNumber(minNode, minPath, "a finite number", double.IsFinite) : null;
                double? max = fields.TryGet(F.Max, out var maxNode, out var maxPath)
                    ? ReadNumber(maxNode, maxPath, "a finite number", double.IsFinite) : null;
                if (min is null && max is null)
                    throw Error(fields.Node.Position, gatePath, $"a gate needs \"{F.Min}\", \"{F.Max}\" or both");
                if (min > max)
                    throw Error(maxNode.Position, maxPath,
                        string.Create(CultureInfo.InvariantCulture, $"expected a number >= min ({min:R}), got {maxNode.Describe()}"));
                yield return new GateSpec(metric, min, max);
            }
        }

        /// <summary>Suggests the closest metric, else lists the metrics under the longest known prefix.</summary>
        private static string MetricHint(string metric)
        {
            // A typo budget from the last segment, so "finetune.sae.ev" lists finetune.sae.* rather than guess l0.
            var segments = metric.Split('.');
            if (Suggest(metric, MetricPaths.Ordered, segments[^1].Length / 3) is { } close) return $"did you mean \"{close}\"?";
            for (var length = segments.Length - 1; length > 0; length--)
            {
                var prefix = string.Join('.', segments[..length]) + ".";
                var under = MetricPaths.Ordered.Where(known => known.StartsWith(prefix, StringComparison.Ordinal)).ToList();
                if (under.Count > 0) return $"expected one of {string.Join(", ", under)}";
            }
            return "expected a SPEC §11 result path such as finetune.ce.score or transfer.activation_similarity.mean "
                + "(tokens, activations, base, finetune, densities, transfer, weights)";
        }

        private string ReadModelPath(SourceNode node, string path, string what)
        {
            var raw = ReadString(node, path);
            var resolved = ResolvePath(raw, node, path);
            // A model or SAE is normally a folder; a single checkpoint file is left for its loader to judge.
            if (!IsHubReference(resolved) && !Directory.Exists(resolved) && !File.Exists(resolved))
                throw Error(node.Position, path, NotFound(what, raw, resolved));
            return resolved;
        }

        private string ResolvePath(string raw, SourceNode node, string path)
        {
            // Trimmed so "base/" and "base" are the same path (and the same canonical form).
            if (!IsHubReference(raw)) return Path.TrimEndingDirectorySeparator(Path.GetFullPath(raw, Folder));
            if (raw.Length == HubPrefix.Length) throw Expected(node, path, "a hub reference like \"hf:owner/name\"");
            return raw;
        }

        private static string NotFound(string what, string raw, string resolved) =>
            Path.IsPathRooted(raw) ? $"{what} not found: {resolved}" : $"{what} not found: {resolved} (paths are relative to the manifest's folder)";

        private HookPoint ReadHook(SourceNode node, string path) =>
            HookPoint.TryParse(ReadString(node, path), out var hook)
                ? hook
                : throw Expected(node, path, "a hook name blocks.<L>.hook_resid_pre, hook_resid_post, hook_attn_out or hook_mlp_out");

        private ObjectFields Fields(SourceNode node, string path, string expectation) =>
            node is SourceObject obj ? new ObjectFields(this, obj, path) : throw Expected(node, path, expectation);

        private string ReadString(SourceNode node, string path) =>
            node is SourceString { Value.Length: > 0 } text ? text.Value : throw Expected(node, path, "a non-empty string");

        private bool ReadBool(SourceNode node, string path) =>
            node is SourceBool flag ? flag.Value : throw Expected(node, path, "true or false");

        private decimal ReadInteger(SourceNode node, string path, decimal min, decimal max)
        {
            if (node is not SourceNumber number || !double.IsInteger(number.AsDouble()) || number.AsDouble() < (double)min)
                throw Expected(node, path, $"an integer >= {min}");
            // TryGetWholeNumber fails only beyond decimal's range, which is above every field's maximum.
            if (!number.TryGetWholeNumber(out var value) || value > max)
                throw Expected(node, path, $"an integer from {min} to {max}");
            return value;
        }

        private double ReadNumber(SourceNode node, string path, string expectation, Func<double, bool> isValid) =>
            node is SourceNumber number && number.AsDouble() is var value && double.IsFinite(value) && isValid(value)
                ? value
                : throw Expected(node, path, expectation);
    }

    /// <summary>JSONPath child step: <c>.name</c>, or <c>['odd name']</c> when the name isn't a plain identifier.</summary>
    private static string ChildPath(string parent, string name) =>
        PlainKeyPattern().IsMatch(name) ? $"{parent}.{name}" : $"{parent}['{name.Replace("'", "\\'")}']";

    /// <summary>The known name closest to <paramref name="name"/> (ignoring case) if at most
    /// <paramref name="maxEdits"/> edits away, i.e. close enough to be a typo of it.</summary>
    private static string? Suggest(string name, IReadOnlyList<string> known, int maxEdits)
    {
        var (closest, distance) = known
            .Select(candidate => (candidate, EditDistance(name.ToLowerInvariant(), candidate.ToLowerInvariant())))
            .MinBy(pair => pair.Item2);
        return distance <= maxEdits ? closest : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
