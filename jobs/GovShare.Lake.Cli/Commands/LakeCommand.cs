using System.CommandLine;
using System.Globalization;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Delta;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare lake …</c>: operators' tools for any Delta table folder, including tables this
/// platform did not write. A table that cannot be read is refused with the reason and exit code 1.</summary>
internal static class LakeCommand
{
    public static Command Create(CliConsole console)
    {
        var lake = new Command("lake", "Inspect and maintain Delta Lake tables (any Delta table folder).");
        lake.Subcommands.Add(Show(console));
        lake.Subcommands.Add(History(console));
        lake.Subcommands.Add(Changes(console));
        lake.Subcommands.Add(Files(console));
        lake.Subcommands.Add(Optimize(console));
        lake.Subcommands.Add(Vacuum(console));
        lake.Subcommands.Add(Schemas(console));
        return lake;
    }

    private static Argument<string> PathArgument() => new("PATH") { Description = "The Delta table folder." };

    private static Option<string> FormatOption() => new Option<string>("--format")
    {
        Description = "csv (header row, plain text values, nulls empty) or json (one object per line).",
        DefaultValueFactory = _ => "csv",
    }.AcceptOnlyFromAmong("csv", "json");

    private static Option<long?> VersionOption() => new("--version")
    {
        Description = "Read this version instead of the latest.",
        HelpName = "V",
    };

    private static Command Show(CliConsole console)
    {
        var path = PathArgument();
        var version = VersionOption();
        var timestamp = new Option<DateTimeOffset?>("--timestamp")
        {
            Description = "Read the version that was current at this instant (ISO 8601, e.g. 2026-11-22T10:00:00+08:00).",
            HelpName = "T",
        };
        var format = FormatOption();
        var limit = new Option<long?>("--limit") { Description = "Print at most N rows.", HelpName = "N" };
        var command = new Command("show", "Print a table's rows at the latest version, a version, or an instant.") { path, version, timestamp, format, limit };
        command.Validators.Add(result =>
        {
            if (result.GetValue(version) is not null && result.GetValue(timestamp) is not null)
            {
                result.AddError("--version and --timestamp cannot be combined.");
            }
        });
        command.SetAction(parseResult =>
        {
            var table = DeltaTable.Open(parseResult.GetValue(path)!);
            var snapshot = parseResult.GetValue(timestamp) is { } at ? table.SnapshotAt(at) : table.Snapshot(parseResult.GetValue(version));
            QueryOutput.Write(snapshot.ToDuckDbQuery(), parseResult.GetValue(format)!, console.Out, parseResult.GetValue(limit));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command History(CliConsole console)
    {
        var path = PathArgument();
        var command = new Command("history", "List a table's commits: version, time, operation, batch, files and rows.") { path };
        command.SetAction(parseResult =>
        {
            var table = DeltaTable.Open(parseResult.GetValue(path)!);
            console.Out.WriteLine("version,timestamp,operation,batch_id,files_added,files_removed,rows_inserted,rows_updated,rows_deleted");
            foreach (var commit in table.History())
            {
                long Metric(string name) => commit.Metrics.GetValueOrDefault(name);
                console.Out.WriteLine(string.Join(",",
                    commit.Version.ToString(CultureInfo.InvariantCulture),
                    commit.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture),
                    QueryOutput.Csv(commit.Operation ?? string.Empty),
                    QueryOutput.Csv(commit.BatchId ?? string.Empty),
                    commit.FilesAdded.ToString(CultureInfo.InvariantCulture),
                    commit.FilesRemoved.ToString(CultureInfo.InvariantCulture),
                    Metric("numInsertedRows").ToString(CultureInfo.InvariantCulture),
                    Metric("numUpdatedRows").ToString(CultureInfo.InvariantCulture),
                    Metric("numDeletedRows").ToString(CultureInfo.InvariantCulture)));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Changes(CliConsole console)
    {
        var path = PathArgument();
        var from = new Option<long>("--from") { Description = "The version the consumer has.", HelpName = "V1", Required = true };
        var to = new Option<long>("--to") { Description = "The version to move to.", HelpName = "V2", Required = true };
        var key = new Option<string?>("--key")
        {
            Description = "Key column(s), comma-separated (default: the key the table records; without one, whole rows are compared).",
            HelpName = "COLS",
        };
        var format = FormatOption();
        var command = new Command("changes", "Print the rows inserted, updated (before and after) and deleted between two versions.") { path, from, to, key, format };
        command.SetAction(parseResult =>
        {
            var table = DeltaTable.Open(parseResult.GetValue(path)!);
            var keys = parseResult.GetValue(key)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var changes = table.Changes(parseResult.GetValue(from), parseResult.GetValue(to), keys);
            QueryOutput.Write(changes.Query, parseResult.GetValue(format)!, console.Out);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Files(CliConsole console)
    {
        var path = PathArgument();
        var version = VersionOption();
        var command = new Command("files", "List the data files live at a version, with size, rows and partition values.") { path, version };
        command.SetAction(parseResult =>
        {
            var snapshot = DeltaTable.Open(parseResult.GetValue(path)!).Snapshot(parseResult.GetValue(version));
            console.Out.WriteLine("path,size_bytes,records,partition_values");
            foreach (var (relative, file) in snapshot.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                var partitions = string.Join(";", file.PartitionValues.Select(p => $"{p.Key}={p.Value}"));
                console.Out.WriteLine(string.Join(",",
                    QueryOutput.Csv(relative), file.Size.ToString(CultureInfo.InvariantCulture),
                    FileStatistics.Parse(file.Stats)?.NumRecords?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
                    QueryOutput.Csv(partitions)));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Optimize(CliConsole console)
    {
        var path = PathArgument();
        var command = new Command("optimize", "Compact small files into files of about 128 MB (the rows do not change).") { path };
        command.SetAction(parseResult =>
        {
            var result = DeltaTable.Open(parseResult.GetValue(path)!).Optimize();
            console.Out.WriteLine(result.FilesRemoved == 0
                ? $"nothing to compact; the table stays at version {result.Version}"
                : $"compacted {result.FilesRemoved} files into {result.FilesAdded}; version {result.Version}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Vacuum(CliConsole console)
    {
        var path = PathArgument();
        var retain = new Option<double>("--retain")
        {
            Description = "Keep every version newer than this many hours (default 168, seven days).",
            HelpName = "HOURS",
            DefaultValueFactory = _ => DeltaTable.DefaultRetention.TotalHours,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted, delete nothing." };
        var force = new Option<bool>("--force") { Description = "Allow a retention under one hour (files of writes still in progress may be deleted)." };
        var command = new Command("vacuum", "Delete data files no retained version needs, and leftovers of interrupted writes.") { path, retain, dryRun, force };
        command.Validators.Add(result =>
        {
            var hours = result.GetValue(retain);
            if (hours < 0)
            {
                result.AddError("--retain cannot be negative.");
            }
            else if (hours < 1 && !result.GetValue(force))
            {
                result.AddError("--retain under 1 hour can delete the files of a write that is still committing; add --force if no writer is running.");
            }
        });
        command.SetAction(parseResult =>
        {
            var result = DeltaTable.Open(parseResult.GetValue(path)!)
                .Vacuum(TimeSpan.FromHours(parseResult.GetValue(retain)), parseResult.GetValue(dryRun));
            foreach (var file in result.Files)
            {
                console.Out.WriteLine(file);
            }

            console.Error.WriteLine($"{(parseResult.GetValue(dryRun) ? "would delete" : "deleted")} {result.Files.Count} files ({result.Bytes:N0} bytes); versions from {result.OldestRetainedVersion} on stay readable");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Schemas(CliConsole console)
    {
        var command = new Command("schemas", "Print the base databases' schemas as Markdown (the source of docs/schemas.md).");
        command.SetAction(_ =>
        {
            console.Out.Write(SchemaDocument.Render());
            return ExitCodes.Success;
        });
        return command;
    }
}
