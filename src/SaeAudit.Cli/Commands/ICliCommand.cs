using System.CommandLine;

namespace SaeAudit.Cli.Commands;

/// <summary>A top-level command (or command group) of the saeaudit root command.</summary>
internal interface ICliCommand
{
    /// <summary>Builds the command's syntax and binds its action.</summary>
    Command Create();
}
