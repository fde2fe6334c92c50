namespace SaeAudit.Evaluation;

/// <summary>Receives progress of a run; the CLI draws a progress bar or writes log lines from it.</summary>
public interface IAuditProgress
{
    /// <summary>A pair starts: <paramref name="totalTokens"/> tokens (rows × context) will go through both models.</summary>
    void PairStarted(string pair, long totalTokens);

    /// <summary>Another batch of <paramref name="tokens"/> tokens is done.</summary>
    void Advanced(string pair, long tokens);

    void PairFinished(string pair);
}
