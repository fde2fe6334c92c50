using SaeAudit.Tensors;

using SaeAudit.Evaluation.Manifests;

namespace SaeAudit.Evaluation.Metrics;

/// <summary>Collects the calibration norms of SPEC §3/§12: float64 |xB|, |xF| of the non-special tokens of the first
/// <c>calibration_rows</c> rows of the evaluated sample, fed batch by batch in sample order.</summary>
public sealed class OutlierCalibration(OutlierSpec settings)
{
    private readonly List<double> _normsBase = [];
    private readonly List<double> _normsFinetune = [];
    private int _rows;

    /// <summary>True once <c>calibration_rows</c> rows have been seen; later batches are ignored.</summary>
    public bool Complete => _rows >= settings.CalibrationRows;

    /// <param name="xBase">base hook activations [tokens, d]</param>
    /// <param name="xFinetune">finetune hook activations [tokens, d]</param>
    /// <param name="mask">special tokens of the batch (outliers are not known yet)</param>
    public void Add(Tensor xBase, Tensor xFinetune, TokenMask mask)
    {
        for (var row = 0; row < mask.Rows && !Complete; row++, _rows++)
        {
            for (var token = row * mask.Sequence; token < (row + 1) * mask.Sequence; token++)
            {
                if (mask.IsSpecial(token)) continue;
                _normsBase.Add(Statistics.Norm(xBase.Row(token)));
                _normsFinetune.Add(Statistics.Norm(xFinetune.Row(token)));
            }
        }
    }

    /// <summary>Calibration tokens collected (the reference reports them as extras.calibration.tokens).</summary>
    public int Tokens => _normsBase.Count;

    public OutlierFilter Result() => OutlierFilter.Calibrate(settings, _normsBase, _normsFinetune);
}
