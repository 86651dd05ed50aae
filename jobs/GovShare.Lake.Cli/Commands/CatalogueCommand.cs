using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare catalogue list|show|history|validate|load</c>: the catalogue of shared resources.</summary>
internal static class CatalogueCommand
{
    public static Command Create(CliConsole console)
    {
        var catalogue = new Command("catalogue", "The catalogue of shared resources (one YAML file per entry; see docs/catalogue.md).");
        catalogue.Subcommands.Add(List(console));
        catalogue.Subcommands.Add(Show(console));
        catalogue.Subcommands.Add(History(console));
        catalogue.Subcommands.Add(Validate(console));
        catalogue.Subcommands.Add(Load(console));
        return catalogue;
    }

    private static Command List(CliConsole console)
    {
        var lake = PlatformContext.LakeOption();
        var command = new Command("list", "List the entries stored in the lake: id, agency, target, sharing class, deadline, revision, last delivery.") { lake };
        command.SetAction(parseResult =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var entries = context.Store.ListCatalogue();
            console.Out.WriteLine("id\tagency\ttarget\tsharing\tdeadline\trevision\tlast_delivery\tname");
            foreach (var revision in entries)
            {
                var entry = revision.Entry;
                var last = context.Store.ListBatches(entry.Id, 1).FirstOrDefault();
                console.Out.WriteLine(string.Join('\t', entry.Id, entry.Agency.Code, entry.Target, CatalogueValidator.Name(entry.Sharing.Class),
                    Json(entry.UpdateDeadline), revision.Revision.ToString(CultureInfo.InvariantCulture),
                    last is null ? "-" : $"{last.FinishedAt.ToOffset(ChinaTime.Offset):yyyy-MM-dd HH:mm} {last.Status}",
                    entry.Name.Zh));
            }

            console.Error.WriteLine($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliConsole console)
    {
        var id = new Argument<string>("ID") { Description = "The dataset id." };
        var lake = PlatformContext.LakeOption();
        var command = new Command("show", "Print an entry (JSON, as stored) with its revision and recent deliveries.") { id, lake };
        command.SetAction(parseResult =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var revision = context.Store.FindCatalogueEntry(parseResult.GetValue(id)!);
            if (revision is null)
            {
                console.Error.WriteLine($"govshare: there is no catalogue entry '{parseResult.GetValue(id)}' (see govshare catalogue list).");
                return ExitCodes.Failure;
            }

            console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                revision = revision.Revision,
                validFrom = revision.ValidFrom.ToOffset(ChinaTime.Offset),
                revision.SourceFile,
                entry = revision.Entry,
                recentBatches = context.Store.ListBatches(revision.Entry.Id, 5).Select(b => new
                {
                    b.BatchId, b.FileName, b.Status, b.Read, b.Accepted, b.Quarantined, b.Version, finishedAt = b.FinishedAt.ToOffset(ChinaTime.Offset),
                }),
            }, new JsonSerializerOptions(DuckDbPlatformStore.Json) { WriteIndented = true }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command History(CliConsole console)
    {
        var id = new Argument<string>("ID") { Description = "The dataset id." };
        var lake = PlatformContext.LakeOption();
        var command = new Command("history", "List an entry's revisions: number, date, what changed, source file.") { id, lake };
        command.SetAction(parseResult =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            var revisions = context.Store.CatalogueHistory(parseResult.GetValue(id)!);
            if (revisions.Count == 0)
            {
                console.Error.WriteLine($"govshare: there is no catalogue entry '{parseResult.GetValue(id)}'.");
                return ExitCodes.Failure;
            }

            console.Out.WriteLine("revision\tvalid_from\tchanges\tsource_file");
            foreach (var revision in revisions)
            {
                console.Out.WriteLine(string.Join('\t', revision.Revision.ToString(CultureInfo.InvariantCulture),
                    revision.ValidFrom.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    string.Join(",", revision.Changes), revision.SourceFile ?? "-"));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Validate(CliConsole console)
    {
        var folder = new Argument<string>("DIR") { Description = "A folder of catalogue YAML files (*.yaml, *.yml)." };
        var command = new Command("validate",
            "Check every entry of a folder without storing anything; prints file:line:column: path: problem. Exit code 0 when all are valid, 1 otherwise.")
        {
            folder,
        };
        command.SetAction(parseResult =>
        {
            try
            {
                var entries = CatalogueYaml.LoadFolder(parseResult.GetValue(folder)!);
                console.Error.WriteLine($"{entries.Count} entr{(entries.Count == 1 ? "y is" : "ies are")} valid.");
                return ExitCodes.Success;
            }
            catch (CatalogueFileException ex)
            {
                foreach (var problem in ex.Problems)
                {
                    console.Out.WriteLine(problem.ToString());
                }

                console.Error.WriteLine($"{ex.Problems.Count} problem(s) in {ex.Problems.Select(p => p.File).Distinct().Count()} file(s).");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static Command Load(CliConsole console)
    {
        var folder = new Argument<string>("DIR") { Description = "A folder of catalogue YAML files." };
        var lake = PlatformContext.LakeOption();
        var command = new Command("load",
            "Validate a folder of entries and store them: a changed entry becomes a new revision, an unchanged one stays. " +
            "Nothing is stored when any file is invalid (exit code 1).")
        {
            folder, lake,
        };
        command.SetAction(parseResult =>
        {
            var context = PlatformContext.Open(parseResult.GetValue(lake)!);
            try
            {
                var changes = CatalogueLoader.Load(context.Store, parseResult.GetValue(folder)!, TimeProvider.System);
                foreach (var (revision, isNew) in changes)
                {
                    console.Out.WriteLine(isNew
                        ? $"{revision.Entry.Id}: revision {revision.Revision} ({string.Join(", ", revision.Changes)})"
                        : $"{revision.Entry.Id}: unchanged (revision {revision.Revision})");
                }

                return ExitCodes.Success;
            }
            catch (CatalogueFileException ex)
            {
                foreach (var problem in ex.Problems)
                {
                    console.Out.WriteLine(problem.ToString());
                }

                console.Error.WriteLine("Nothing was stored.");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, DuckDbPlatformStore.Json).Trim('"');
}
