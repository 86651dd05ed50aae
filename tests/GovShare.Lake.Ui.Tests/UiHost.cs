using System.Net;
using System.Net.Sockets;
using GovShare.Lake.Cli.Commands;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;

namespace GovShare.Lake.Ui.Tests;

/// <summary>The platform's host as <c>govshare serve</c> runs it (<see cref="ServeHost"/>), listening through Kestrel on a
/// free 127.0.0.1 port, over a temporary lake seeded as serve seeds an empty one: a small demo city and the demo agencies.
/// One per test collection (<see cref="UiCollection"/>); tests that change data make their own (agencies, requests) so
/// that no test depends on another's leftovers.</summary>
public class UiHost : IAsyncLifetime
{
    /// <summary>Persons in the demo city: enough for every dataset to have rows, disagreements and quarantine.</summary>
    public const long Persons = 2_000;

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly List<DemoLake.DemoCredential> _credentials = [];
    private PlatformContext? _context;
    private WebApplication? _app;

    /// <summary>The lake folder, a new one under the system's temp folder; deleted on dispose.</summary>
    public string Lake { get; } = Path.Combine(Path.GetTempPath(), "govshare-ui-" + Guid.NewGuid().ToString("N"));

    /// <summary>The host's address without a trailing slash, such as <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The lake's layout.</summary>
    public LakeLayout Layout => Context.Layout;

    /// <summary>The lake's platform store (the host opens its own over the same file; the two take turns).</summary>
    public DuckDbPlatformStore Store => Context.Store;

    /// <summary>The lake's ingestor, shared with the host, for tests that deliver outside the browser.</summary>
    public DeliveryIngestor Ingestor => Context.Ingestor;

    /// <summary>API keys by agency code: the providers of the catalogue, <c>urban-ops</c> and <c>housing-fund</c>
    /// (consumers), <c>operator</c>.</summary>
    public IReadOnlyDictionary<string, string> Keys => _keys;

    /// <summary>The demo agencies with their kinds, keys and Chinese names, in the order serve prints them.</summary>
    public IReadOnlyList<DemoLake.DemoCredential> Credentials => _credentials;

    /// <summary>Staff accounts' passwords by username (<c>op.admin</c>, <c>op.reviewer</c>, <c>urban-ops.analyst</c>,
    /// <c>housing-fund.analyst</c>, <c>&lt;provider&gt;.admin</c>).</summary>
    public IReadOnlyDictionary<string, string> Passwords => _passwords;

    /// <summary>The running host's services.</summary>
    public IServiceProvider Services => (_app ?? throw new InvalidOperationException("The host has not started.")).Services;

    private readonly Dictionary<string, string> _passwords = new(StringComparer.Ordinal);

    private PlatformContext Context => _context ?? throw new InvalidOperationException("The lake has not been opened yet.");

    /// <summary>Opens and seeds the lake, then starts the host.</summary>
    public async Task InitializeAsync()
    {
        _context = PlatformContext.Open(Lake);

        // Generating and ingesting the city is CPU work: off the test framework's thread.
        await Task.Run(() =>
        {
            Seed();
            SeedStaff();
        });
        await StartAsync();
    }

    /// <summary>Stops the host and deletes the lake folder.</summary>
    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }

        try
        {
            Directory.Delete(Lake, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held by the host's last background work; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Fills the empty lake before the host starts, exactly as <c>govshare serve</c> does: the demo city
    /// (<see cref="DemoLake.Seed"/>), then the demo agencies and their keys (<see cref="DemoLake.SeedAgencies"/>).
    /// An override that adds data calls this first.</summary>
    protected virtual void Seed()
    {
        DemoLake.Seed(Layout, Store, Ingestor, Persons, TimeProvider.System, TextWriter.Null);
        foreach (var credential in DemoLake.SeedAgencies(Layout, Store, TimeProvider.System))
        {
            _credentials.Add(credential);
            _keys[credential.Code] = credential.Key;
        }
    }

    /// <summary>The demo staff accounts the UI signs in with (cookie sessions), seeded after <see cref="Seed"/> and before the
    /// host starts, as <c>govshare serve</c> does (<see cref="DemoLake.SeedStaff"/>); their passwords are in <see cref="Passwords"/>.</summary>
    protected virtual void SeedStaff()
    {
        foreach (var account in DemoLake.SeedStaff(Layout, Store, TimeProvider.System))
        {
            _passwords[account.Username] = account.Password;
        }
    }

    /// <summary>Settings and services of the test host, on top of serve's: the log kept to warnings (the test output stays
    /// readable) and the engine refreshing its view of the lake every 200 ms (a delivery made by a test shows at once).
    /// An override calls this first.</summary>
    /// <param name="builder">The host's builder.</param>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Settings, not SetMinimumLevel: the host's own Logging:LogLevel settings would win over the latter.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Engine:RefreshInterval"] = "00:00:00.200",
        });
    }

    private async Task StartAsync()
    {
        // The port is free when the listener lets it go; another process may take it before Kestrel binds: try again.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort()}";
            var app = ServeHost.Build(Context, url, Configure);
            try
            {
                await app.StartAsync();
                _app = app;
                BaseUrl = url;
                return;
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException && attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
