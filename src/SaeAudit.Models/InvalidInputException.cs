namespace SaeAudit.Models;

/// <summary>Bad user input (a file, a field, a value). The CLI prints <see cref="Exception.Message"/> as one line
/// and exits with code 2, never a stack trace, so the message must name the file and the field at fault.</summary>
public class InvalidInputException : Exception
{
    public InvalidInputException(string message) : base(message) { }

    public InvalidInputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>"&lt;file&gt;: &lt;field&gt;: &lt;problem&gt;", the one shape every input error takes.</summary>
    public static InvalidInputException For(string file, string? field, string problem) =>
        new(field is null ? $"{file}: {problem}" : $"{file}: {field}: {problem}");
}
