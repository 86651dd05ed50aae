using System.Diagnostics;
using System.Text;

namespace GovShare.Lake.Cli.Tests;

/// <summary>What a command printed and how it exited.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs <c>govshare</c> commands, in-process (fast, most tests) or as a real process
/// (exit codes, standard input and signals as a user's shell sees them).</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunInProcessAsync(string[] args, byte[]? input = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(() => new MemoryStream(input ?? []), output, error, ErrorIsTerminal: false);

        var exitCode = await GovShareCli.RunAsync(args, console);

        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "govshare.dll");

    public static Process Start(IEnumerable<string> args, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        startInfo.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    public static async Task<CliResult> RunProcessAsync(IEnumerable<string> args, byte[]? input = null, TimeSpan? timeout = null)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cancellation.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
