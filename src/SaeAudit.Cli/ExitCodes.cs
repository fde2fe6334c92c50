namespace SaeAudit.Cli;

/// <summary>Process exit codes (SPEC §9; README "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary><c>saeaudit run</c>: the audit ran and its results were written, but at least one gate failed.</summary>
    public const int GateFailed = 1;

    /// <summary>Bad input: a file, a field, a value, or the command line itself.</summary>
    public const int InvalidInput = 2;

    /// <summary>Any other failure.</summary>
    public const int Failure = 3;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, the shell convention).</summary>
    public const int Cancelled = 130;
}
