using System.CommandLine;
using System.Globalization;
using GovShare.Lake.Ingestion.Ingest;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace GovShare.Lake.Cli.Commands;

/// <summary><c>govshare serve</c>: runs the platform's HTTP host on the loopback interface.</summary>
internal static class ServeCommand
{
    public const int DefaultPort = 5080;

    /// <summary>Persons in the demo city an empty lake starts with.</summary>
    public const long DefaultDemoPersons = 50_000;

    public static Command Create(CliConsole console)
    {
        var lake = new Option<string>("--lake")
        {
            Description = "The lake folder (created when missing).",
            HelpName = "DIR",
            DefaultValueFactory = _ => "./lake-data",
        };
        var port = new Option<int>("--port")
        {
            Description = "The TCP port to listen on, on 127.0.0.1.",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultPort,
        };
        port.Validators.Add(result =>
        {
            // A token that is not a number at all is reported by the parser itself.
            if (result.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value is < 1 or > 65535)
            {
                result.AddError("--port must be between 1 and 65535.");
            }
        });

        var demoPersons = new Option<long>("--demo-persons")
        {
            Description = "On an empty lake, first generate and ingest a demo city of this many persons (0: start empty).",
            HelpName = "N",
            DefaultValueFactory = _ => DefaultDemoPersons,
        };
        demoPersons.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && long.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && value < 0)
            {
                result.AddError("--demo-persons must not be negative.");
            }
        });

        var serve = new Command("serve",
            "Start the GovShare Lake host (HTTP API and /health) on 127.0.0.1 until Ctrl+C. The platform store's migrations run first; " +
            "an empty lake is first filled with a demo city (see --demo-persons).")
        {
            lake,
            port,
            demoPersons,
        };
        serve.SetAction(async (parseResult, cancellationToken) =>
        {
            var lakeDirectory = Path.GetFullPath(parseResult.GetValue(lake)!);
            if (new LakeOptions { Directory = lakeDirectory }.Validate() is [var problem, ..])
            {
                await console.Error.WriteLineAsync($"govshare serve: {problem}");
                return ExitCodes.Usage;
            }

            // Migrations run on every start; an empty lake gets the demo city before the host listens.
            var context = PlatformContext.Open(lakeDirectory);
            var empty = DemoLake.IsEmpty(context.Layout, context.Store) && context.Store.ListAgencies().Count == 0;
            if (parseResult.GetValue(demoPersons) is > 0 and var persons && empty)
            {
                var seeded = await Task.Run(() => DemoLake.Seed(context.Layout, context.Store, context.Ingestor, persons, TimeProvider.System, console.Out, cancellationToken),
                    cancellationToken);
                await console.Out.WriteLineAsync($"Demo city ingested: {seeded.Sum(r => r.Accepted):N0} rows accepted, {seeded.Sum(r => r.Quarantined):N0} quarantined.");
            }

            if (empty)
            {
                // The keys are shown once, here and in the credentials file; the store keeps only their hashes.
                var credentials = DemoLake.SeedAgencies(context.Layout, context.Store, TimeProvider.System);
                await console.Out.WriteLineAsync($"Demo API keys (also in {Path.Combine(lakeDirectory, DemoLake.CredentialsFile)}; shown only now):");
                foreach (var credential in credentials)
                {
                    await console.Out.WriteLineAsync($"  {credential.Code,-10} {credential.Kind.ToString().ToLowerInvariant(),-9} {credential.Key}  {credential.Name}");
                }

                var staff = DemoLake.SeedStaff(context.Layout, context.Store, TimeProvider.System);
                await console.Out.WriteLineAsync($"Demo staff accounts for the web UI at http://127.0.0.1:{parseResult.GetValue(port)}/ui/ (passwords in {Path.Combine(lakeDirectory, DemoLake.StaffFile)}): " +
                    string.Join(", ", staff.Select(s => s.Username)));
            }

            await console.Out.FlushAsync(cancellationToken);

            var portNumber = parseResult.GetValue(port);
            var url = $"http://127.0.0.1:{portNumber}";
            var app = ServeHost.Build(context, url);
            await using (app)
            {
                try
                {
                    await app.StartAsync(cancellationToken);
                }
                catch (IOException ex) when (ex.InnerException is AddressInUseException)
                {
                    await console.Error.WriteLineAsync($"govshare serve: port {portNumber} is already in use on 127.0.0.1; choose another with --port.");
                    return ExitCodes.Failure;
                }

                await console.Out.WriteLineAsync($"GovShare Lake {BuildInfo.Version} serving {url} (web UI: {url}/ui/; lake folder: {lakeDirectory}). Press Ctrl+C to stop.");
                await console.Out.FlushAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
            }

            return ExitCodes.Success;
        });
        return serve;
    }
}
