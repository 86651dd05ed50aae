using System.Text;

namespace GovShare.Lake.Cli;

/// <summary>The streams a command reads and writes, so that tests can run commands in-process.</summary>
/// <param name="OpenInput">Opens standard input (as bytes: its encoding is detected or declared).</param>
/// <param name="Out">Standard output: results only, so they can be piped.</param>
/// <param name="Error">Standard error: progress, summaries and error messages.</param>
/// <param name="ErrorIsTerminal">True when a person watches standard error, so progress may be drawn.</param>
/// <param name="InputIsTerminal">True when a person types standard input, so each answer is flushed at once.</param>
internal sealed record CliConsole(Func<Stream> OpenInput, TextWriter Out, TextWriter Error, bool ErrorIsTerminal, bool InputIsTerminal = false)
{
    /// <summary>The process's own streams; output is buffered (flushed when the command ends).</summary>
    public static CliConsole FromSystem()
    {
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        var error = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
        return new CliConsole(Console.OpenStandardInput, output, error, !Console.IsErrorRedirected, !Console.IsInputRedirected);
    }
}
