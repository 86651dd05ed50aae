using System.CommandLine;
using GovShare.Lake.Cli.Commands;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.Cli;

/// <summary>The <c>govshare</c> command line: parses, dispatches, and turns every failure into a
/// message and an exit code (<see cref="ExitCodes"/>).</summary>
internal static class GovShareCli
{
    public static RootCommand CreateRootCommand(CliConsole console)
    {
        var root = new RootCommand(
            "GovShare Lake: the shared base-database platform for government data sharing. " +
            "Run 'govshare COMMAND --help' for any command.");
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(IdCommand.Create(console));
        root.Subcommands.Add(LakeCommand.Create(console));
        root.Subcommands.Add(CatalogueCommand.Create(console));
        root.Subcommands.Add(IngestCommand.Create(console));
        root.Subcommands.Add(InboxCommand.Create(console));
        root.Subcommands.Add(AuditCommand.Create(console));
        root.Subcommands.Add(CalendarCommand.Create(console));
        root.Subcommands.Add(FreshnessCommand.Create(console));
        root.Subcommands.Add(ScorecardCommand.Create(console));
        root.Subcommands.Add(BackupCommand.Create(console));
        root.Subcommands.Add(EvidenceCommand.Create(console));
        root.Subcommands.Add(SampleCommand.Create(console));
        root.Subcommands.Add(AgencyCommand.Create(console));
        root.Subcommands.Add(AccountCommand.Create(console));
        root.Subcommands.Add(QueryCommand.Create(console));
        root.Subcommands.Add(ExportCommand.Create(console));
        root.Subcommands.Add(QualityCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        try
        {
            var root = CreateRootCommand(console);
            var parseResult = root.Parse(args);
            if (parseResult.Errors.Count > 0)
            {
                foreach (var error in parseResult.Errors)
                {
                    await console.Error.WriteLineAsync($"govshare: {error.Message}");
                }

                var commandPath = string.Join(' ', EnumerateCommandPath(parseResult.CommandResult.Command));
                await console.Error.WriteLineAsync($"Run '{commandPath} --help' for usage.");
                return ExitCodes.Usage;
            }

            var configuration = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (LakeException ex)
        {
            await console.Error.WriteLineAsync($"govshare: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("govshare: cancelled.");
            return ExitCodes.Failure;
        }
        catch (DuckDB.NET.Data.DuckDBException ex)
        {
            // A data file that DuckDB cannot read (truncated, not Parquet): say which, exit 1.
            await console.Error.WriteLineAsync($"govshare: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OptionsValidationException)
        {
            // Environment failures (a full disk, a closed pipe, a port in use) deserve a sentence, not a stack trace.
            await console.Error.WriteLineAsync($"govshare: {ex.Message}");
            return ExitCodes.Failure;
        }
        finally
        {
            await console.Out.FlushAsync(CancellationToken.None);
        }
    }

    private static IEnumerable<string> EnumerateCommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Command? current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(current is RootCommand ? "govshare" : current.Name);
        }

        return names;
    }
}
