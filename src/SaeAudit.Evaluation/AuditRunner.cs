using System.Diagnostics;
using SaeAudit.Evaluation.Manifests;
using SaeAudit.Evaluation.Metrics;
using SaeAudit.Evaluation.Results;
using SaeAudit.Evaluation.Sampling;
using SaeAudit.Models;
using SaeAudit.Models.Hub;
using SaeAudit.Models.Tokenizers;
using SaeAudit.Saes;
using SaeAudit.Tensors;

namespace SaeAudit.Evaluation;

/// <summary>Runs the base-vs-finetune SAE transfer study (SPEC §2-§8) for every pair of a manifest, streaming
/// batch by batch: nothing proportional to the dataset's activations is held in memory. Models and SAEs given as
/// <c>hf:</c> references are fetched into the hub cache (<see cref="ModelSource"/>), reporting to
/// <paramref name="downloads"/>.</summary>
public sealed class AuditRunner(IComputeBackend backend, IAuditProgress? progress = null, IProgress<HubProgress>? downloads = null)
{
    public AuditResults Run(Manifest manifest, CancellationToken cancellation = default)
    {
        Preflight(manifest, downloads, cancellation);
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var pairs = new List<PairResult>();
        var provenance = new List<PairProvenance>();
        long tokens = 0;
        foreach (var spec in manifest.Pairs)
        {
            var (result, pairProvenance) = RunPair(spec, cancellation, pathsRelativeTo: manifest.Directory);
            pairs.Add(result);
            provenance.Add(pairProvenance);
            tokens += result.Tokens.Rows * spec.ContextSize;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new AuditResults(
            AuditResults.CurrentSchemaVersion,
            new ToolInfo("saeaudit", EnvironmentProbe.ToolVersion),
            pairs.All(p => p.Passed),
            pairs,
            new Provenance(
                new ManifestProvenance(Path.GetRelativePath(Environment.CurrentDirectory, manifest.SourcePath),
                    EnvironmentProbe.Sha256(manifest.SourcePath), manifest.CanonicalHash),
                EnvironmentProbe.Describe(backend),
                provenance,
                new RunInfo(backend.Threads, started.ToString("yyyy-MM-ddTHH:mm:ssZ"), Math.Round(seconds, 3),
                    Math.Round(tokens / Math.Max(seconds, 1e-9), 1), Process.GetCurrentProcess().PeakWorkingSet64)));
    }

    /// <summary>Checks from the configs alone that every pair's models can be run and its SAE fits them, so a bad
    /// later pair fails before any work is done (the weights, dataset and SAE tensors are checked when loaded). For
    /// <c>hf:</c> references only the configs are fetched (for a Gemma Scope SAE that is its params.npz).</summary>
    public static void Preflight(Manifest manifest, IProgress<HubProgress>? downloads = null, CancellationToken cancellation = default)
    {
        for (var i = 0; i < manifest.Pairs.Count; i++)
        {
            var pair = manifest.Pairs[i];
            var sae = SparseAutoencoder.ReadConfig(ModelSource.Resolve(pair.Sae, HubFiles.SaeConfig, downloads, cancellation: cancellation).Folder, pair.Hook);
            var hook = pair.Hook ?? sae.Hook;
            foreach (var model in new[] { pair.Base, pair.Finetune })
            {
                var folder = ModelSource.Resolve(model, HubFiles.ModelConfig, downloads, cancellation: cancellation).Folder;
                var config = Models.Checkpoints.ModelConfig.Load(Path.Combine(folder, "config.json"));
                ModelLoader.RequireSupported(config);
                if (hook.Layer >= config.Layers)
                    throw pair.Hook is null
                        ? InvalidInputException.For(sae.Path, "hook_name", $"{hook} needs layer {hook.Layer}, but {model} has {config.Layers} layers")
                        : InvalidInputException.For(manifest.SourcePath, $"pairs[{i}].hook", $"{hook} needs layer {hook.Layer}, but {model} has {config.Layers} layers");
                if (sae.DIn != config.HiddenSize)
                    throw InvalidInputException.For(sae.Path, "d_in", $"{sae.DIn} does not match the width {config.HiddenSize} of {hook} in {model}");
            }
        }
    }

    /// <param name="pathsRelativeTo">provenance writes input paths relative to this folder (the manifest's), so results
    /// of the same inputs on another machine or checkout compare equal; null keeps them absolute</param>
    public (PairResult Result, PairProvenance Provenance) RunPair(PairSpec pair, CancellationToken cancellation = default,
        string? pathsRelativeTo = null)
    {
        var baseSource = ModelSource.Resolve(pair.Base, HubFiles.Model, downloads, cancellation: cancellation);
        var finetuneSource = ModelSource.Resolve(pair.Finetune, HubFiles.Model, downloads, cancellation: cancellation);
        var saeSource = ModelSource.Resolve(pair.Sae, HubFiles.Sae, downloads, cancellation: cancellation);
        var datasetSource = ModelSource.Resolve(pair.Dataset.Path, HubFiles.DatasetFile, downloads, cancellation: cancellation);
        using var baseModel = ModelLoader.Load(baseSource.Folder, backend);
        using var finetune = ModelLoader.Load(finetuneSource.Folder, backend);
        var sae = SparseAutoencoder.Load(saeSource.Folder, backend, pair.Hook);
        var hook = pair.Hook ?? sae.Hook;
        sae.CheckCompatibility(pair.Base, baseModel.DModel, baseModel.Layers, hook);
        sae.CheckCompatibility(pair.Finetune, finetune.DModel, finetune.Layers, hook);
        if (finetune.DModel != baseModel.DModel || finetune.Layers != baseModel.Layers)
            throw new InvalidInputException(
                $"{pair.Finetune}: d_model {finetune.DModel} × {finetune.Layers} layers does not match the base model's {baseModel.DModel} × {baseModel.Layers}");

        var prependBos = pair.PrependBos ?? sae.PrependBos;
        var tokenizerPath = Path.Combine(baseSource.Folder, "tokenizer.json");
        var (rows, special) = SampleRows(pair, datasetSource.Folder, baseModel.Config, tokenizerPath, prependBos,
            Math.Min(baseModel.VocabSize, finetune.VocabSize), backend.Threads);
        var specialIds = special.Ids.ToHashSet();
        var context = rows.Context;
        var batches = rows.Batches(pair.BatchSize).ToList();

        // Each batch reuses the previous batch's prefixes and buffers (and a pair those of the pair before), so the
        // steady state allocates little.
        HookedPrefix? prefixBase = null, prefixFinetune = null;
        using var lease = WorkspacePool<BatchBuffer>.Rent();
        var buffers = lease.Workspace;

        // Outlier thresholds and the dist histogram range come from the first calibration_rows rows (SPEC §3, §12).
        // The first calibration batches' prefixes (up to KeptPrefixFloats) are kept for the main loop, which would
        // compute the same ones again.
        var calibration = new OutlierCalibration(pair.Outliers);
        var calibrated = new Queue<(HookedPrefix Base, HookedPrefix Finetune)>();
        long keptFloats = 0;
        foreach (var batch in batches)
        {
            if (calibration.Complete) break;
            var keep = keptFloats < KeptPrefixFloats;
            var calibratedBase = baseModel.RunToHook(batch, hook, keep ? null : prefixBase);
            var calibratedFinetune = finetune.RunToHook(batch, hook, keep ? null : prefixFinetune);
            calibration.Add(calibratedBase.Activation, calibratedFinetune.Activation, TokenMask.Create(batch, specialIds));
            if (keep)
            {
                calibrated.Enqueue((calibratedBase, calibratedFinetune));
                keptFloats += calibratedBase.Floats + calibratedFinetune.Floats;
            }
            else (prefixBase, prefixFinetune) = (calibratedBase, calibratedFinetune);
        }
        var filter = calibration.Result();

        var activations = new ActivationSimilarity(context, filter);
        var reconstructionBase = new SaeReconstruction(sae.DSae);
        var reconstructionFinetune = new SaeReconstruction(sae.DSae);
        var lossBase = new DownstreamLoss(backend.Threads);
        var lossFinetune = new DownstreamLoss(backend.Threads);
        var transfer = new FeatureTransfer(sae.DSae);

        progress?.PairStarted(pair.Name, (long)rows.RowCount * context);
        foreach (var batch in batches)
        {
            cancellation.ThrowIfCancellationRequested();
            (prefixBase, prefixFinetune) = calibrated.TryDequeue(out var kept)
                ? kept
                : (baseModel.RunToHook(batch, hook, prefixBase), finetune.RunToHook(batch, hook, prefixFinetune));
            var mask = TokenMask.Create(batch, specialIds, prefixBase.Activation, prefixFinetune.Activation, filter);
            activations.Add(prefixBase.Activation, prefixFinetune.Activation, mask);

            var (featuresBase, reconstructedBase) = Encode(sae, prefixBase.Activation, buffers, BatchBuffer.FeaturesBase, BatchBuffer.ReconstructionBase);
            var (featuresFinetune, reconstructedFinetune) = Encode(sae, prefixFinetune.Activation, buffers, BatchBuffer.FeaturesFinetune, BatchBuffer.ReconstructionFinetune);
            reconstructionBase.Add(prefixBase.Activation, featuresBase, reconstructedBase, mask);
            reconstructionFinetune.Add(prefixFinetune.Activation, featuresFinetune, reconstructedFinetune, mask);
            transfer.Add(featuresBase, featuresFinetune, mask);

            Splice(baseModel, prefixBase, reconstructedBase, mask, lossBase, buffers);
            Splice(finetune, prefixFinetune, reconstructedFinetune, mask, lossFinetune, buffers);
            progress?.Advanced(pair.Name, batch.Tokens);
        }
        progress?.PairFinished(pair.Name);

        var weights = WeightDifference.Compute(WeightsOf(baseModel), WeightsOf(finetune));
        var transferResult = transfer.Result(reconstructionBase.FeatureCounts, reconstructionFinetune.FeatureCounts,
            pair.Transfer,
            pair.Seed,
            new LogitWeights(sae.WDec,
                baseModel.Model.FinalNormGain.Data, baseModel.Model.Unembedding,
                finetune.Model.FinalNormGain.Data, finetune.Model.Unembedding));
        var lossB = lossBase.Result();
        var lossF = lossFinetune.Result();
        var result = new PairResult(
            pair.Name,
            activations.Tokens(),
            activations.Result(),
            new ModelResult(reconstructionBase.Result(), lossB.Ce, lossB.Kl),
            new ModelResult(reconstructionFinetune.Result(), lossF.Ce, lossF.Kl),
            FeatureDensities.Compute(reconstructionBase.FeatureCounts, reconstructionFinetune.FeatureCounts, reconstructionBase.Kept,
                sampleSeed: pair.Seed + 3),
            transferResult,
            weights,
            []);
        result = result with { Gates = Gates.Evaluate(result, pair.Gates) };

        var provenance = new PairProvenance(
            pair.Name,
            ParametersOf(pair, hook, context, prependBos, special, baseModel, finetune, sae, pathsRelativeTo),
            HashInputs(baseModel, finetune, sae, datasetSource.Folder, tokenizerPath, pathsRelativeTo),
            new PairExtras(
                rows.Dataset.RowsAvailable,
                rows.SourceRows.Take(32).ToList(),
                rows.Sha256(),
                calibration.Tokens,
                filter.CalibrationMedianBase,
                lossBase.Positions,
                transferResult.Extras.RegularCandidates,
                transferResult.Extras.SampledFeatures,
                transferResult.Extras.DeadSampled.Born,
                transferResult.Extras.DeadSampled.Died),
            HubProvenanceOf(("base", baseSource), ("finetune", finetuneSource), ("sae", saeSource), ("dataset", datasetSource)));
        return (result, provenance);
    }

    /// <summary>The commit of every input given as an <c>hf:</c> reference; null when all are local paths.</summary>
    private static IReadOnlyDictionary<string, HubProvenance>? HubProvenanceOf(params (string Role, ModelSource Source)[] inputs)
    {
        var hub = inputs.Where(i => i.Source.Snapshot is not null).ToDictionary(
            i => i.Role,
            i => new HubProvenance(i.Source.Snapshot!.Repo, i.Source.Snapshot.Revision, i.Source.Snapshot.Commit, i.Source.Snapshot.Subfolder));
        return hub.Count > 0 ? hub : null;
    }

    /// <summary>f and x̂ of <paramref name="x"/> [tokens, d] in the batch buffers.</summary>
    private static (Tensor Features, Tensor Reconstruction) Encode(SparseAutoencoder sae, Tensor x, Workspace<BatchBuffer> buffers,
        BatchBuffer featuresSlot, BatchBuffer reconstructionSlot)
    {
        var features = buffers.Get(featuresSlot, x.Rows, sae.DSae);
        var reconstruction = buffers.Get(reconstructionSlot, x.Rows, sae.DIn);
        sae.Encode(x, features);
        sae.Decode(features, reconstruction, x);
        return (features, reconstruction);
    }

    /// <summary>SPEC §5: the clean run, x̂ at kept positions (special tokens and outliers keep their activation),
    /// and zeros at every position, all continuing from one shared prefix to the final residual. The logits are made
    /// and scored in row chunks (<see cref="LogitsChunkRows"/>), never [tokens, vocab] at once.</summary>
    private static void Splice(HookedTransformer model, HookedPrefix prefix, Tensor reconstruction, TokenMask mask,
        DownstreamLoss loss, Workspace<BatchBuffer> buffers)
    {
        var x = prefix.Activation;
        int tokens = x.Rows, d = x.Columns, vocab = model.VocabSize;
        var withSae = buffers.Get(BatchBuffer.WithSae, tokens, d);
        x.AsSpan().CopyTo(withSae.AsSpan());
        for (var token = 0; token < mask.Count; token++)
            if (mask.Kept(token))
                reconstruction.Row(token).CopyTo(withSae.Row(token));
        var zero = buffers.Get(BatchBuffer.Zero, tokens, d);
        zero.AsSpan().Clear();

        var residualClean = buffers.Get(BatchBuffer.ResidualClean, tokens, d);
        var residualSae = buffers.Get(BatchBuffer.ResidualSae, tokens, d);
        var residualZero = buffers.Get(BatchBuffer.ResidualZero, tokens, d);
        model.ContinueFromHook(prefix, x, residualClean);
        model.ContinueFromHook(prefix, withSae, residualSae);
        model.ContinueFromHook(prefix, zero, residualZero);

        var chunkRows = LogitsChunkRows(tokens, vocab);
        for (var first = 0; first < tokens; first += chunkRows)
        {
            var rows = Math.Min(chunkRows, tokens - first);
            var logits = buffers.Get(BatchBuffer.Logits, DownstreamLoss.Runs * rows, vocab);
            model.UnembedRows([residualClean, residualSae, residualZero], first, logits);
            loss.Add(logits, prefix.Tokens, mask, first);
        }
    }

    /// <summary>Rows per logits chunk: about <see cref="LogitsChunkFloats"/> floats (64 MiB) per run, so the memory for
    /// logits does not grow with vocab × tokens, but at least <see cref="MinLogitsChunkRows"/> rows. The three runs are
    /// unembedded in one GEMM, which packs all of W_U once per chunk: fewer, taller chunks keep it efficient (GPT-2:
    /// 3 × 333 rows; 128 rows of 256k logits: 3 × 128 MiB).</summary>
    private static int LogitsChunkRows(int tokens, int vocab) =>
        (int)Math.Min(tokens, Math.Max(MinLogitsChunkRows, LogitsChunkFloats / vocab));

    private const long LogitsChunkFloats = 1 << 24;

    private const int MinLogitsChunkRows = 128;

    /// <summary>Prefix floats the calibration keeps for the main loop (256 MiB): the default 32 calibration rows of
    /// a 2B model fit, a large calibration_rows does not hold every batch in memory.</summary>
    private const long KeptPrefixFloats = 1 << 26;

    /// <summary>The per-batch buffers of a pair (<see cref="Workspace{TSlot}"/> slots).</summary>
    private enum BatchBuffer
    {
        FeaturesBase,
        ReconstructionBase,
        FeaturesFinetune,
        ReconstructionFinetune,
        WithSae,
        Zero,
        ResidualClean,
        ResidualSae,
        ResidualZero,
        Logits,
    }

    /// <summary>The rows a pair evaluates (SPEC §2), with the special tokens of the base model they were built with
    /// (BOS falls back to EOS and EOS to BOS). Text is tokenized with <paramref name="tokenizerPath"/>, loaded only
    /// for text datasets.</summary>
    /// <param name="datasetFile">the local file of the pair's dataset (its <c>hf:</c> reference resolved)</param>
    public static (SampledRows Rows, SpecialTokens Special) SampleRows(PairSpec pair, string datasetFile,
        Models.Checkpoints.ModelConfig baseConfig, string tokenizerPath, bool prependBos, int vocabSize, int threads)
    {
        var special = SpecialTokensOf(baseConfig);
        var rows = RowSampler.Sample(new SamplingOptions
        {
            DatasetPath = datasetFile,
            Field = pair.Dataset.Field ?? DatasetSpec.DefaultField,
            ContextSize = pair.ContextSize,
            NTokens = pair.NTokens,
            Shuffle = pair.Dataset.Shuffle,
            Seed = pair.Seed,
            PrependBos = prependBos,
            VocabSize = vocabSize,
        }, LazyTokenizer(tokenizerPath), special, threads);
        return (rows, special);
    }

    private static SpecialTokens SpecialTokensOf(Models.Checkpoints.ModelConfig config)
    {
        var bos = config.BosTokenId ?? config.EosTokenId
            ?? throw InvalidInputException.For(config.Path, "bos_token_id", "needed to build rows (SPEC §2), but missing");
        var eos = config.EosTokenId ?? bos;
        return new SpecialTokens(bos, eos, config.PadTokenId);
    }

    /// <summary>The tokenizer is loaded only for text datasets; pre-tokenized ones never call it.</summary>
    private static Func<string, int[]> LazyTokenizer(string path)
    {
        var tokenizer = new Lazy<Tokenizer>(() => File.Exists(path)
            ? Tokenizer.Load(path)
            : throw new InvalidInputException($"{path}: tokenizer.json not found (needed to tokenize a text dataset)"));
        return text => tokenizer.Value.Encode(text, addSpecialTokens: false);
    }

    private static WeightTensors WeightsOf(HookedTransformer model) =>
        new(model.Checkpoint.TensorNames, name => new StoredTensor([.. model.Checkpoint.Entry(name).Shape],
            (start, destination) => model.Checkpoint.ReadFloat32(name, start, destination)));

    private static PairParameters ParametersOf(PairSpec pair, HookPoint hook, int context, bool prependBos,
        SpecialTokens special, HookedTransformer baseModel, HookedTransformer finetune, SparseAutoencoder sae,
        string? root) => new(
        Display(pair.Base, root), Display(pair.Finetune, root), Display(pair.Sae, root), Display(pair.Dataset.Path, root), pair.Dataset.Field, pair.Dataset.Shuffle,
        hook.ToString(), context, pair.NTokens, pair.BatchSize, pair.Seed, prependBos,
        pair.Outliers.ToString(), pair.Outliers.CalibrationRows,
        pair.Transfer.Features, pair.Transfer.DeadCap, [pair.Transfer.DensityLow, pair.Transfer.DensityHigh],
        special.Ids,
        new Dictionary<string, IReadOnlyList<string>>
        {
            ["base"] = baseModel.Checkpoint.ParameterCountByDType.Keys.Order().ToList(),
            ["finetune"] = finetune.Checkpoint.ParameterCountByDType.Keys.Order().ToList(),
        },
        sae.Architecture.ToString().ToLowerInvariant(), sae.DSae);

    private static IReadOnlyDictionary<string, string> HashInputs(HookedTransformer baseModel,
        HookedTransformer finetune, SparseAutoencoder sae, string datasetFile, string tokenizerPath, string? root)
    {
        var files = new List<string> { baseModel.Config.Path, finetune.Config.Path };
        files.AddRange(baseModel.Checkpoint.Files);
        files.AddRange(finetune.Checkpoint.Files);
        files.AddRange(sae.Files);
        files.Add(datasetFile);
        if (File.Exists(tokenizerPath)) files.Add(tokenizerPath);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files.Select(Path.GetFullPath).Distinct())
            hashes[Display(file, root)] = EnvironmentProbe.Sha256(file);
        return hashes;
    }

    private static string Display(string path, string? root) =>
        root is null || ManifestLoader.IsHubReference(path) ? path : Path.GetRelativePath(root, path);
}
