using System.Net.Http.Headers;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Platform;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GovShare.Lake.QueryApi.Tests;

/// <summary>A small demo city ingested into its own lake folder, served through the real HTTP pipeline with
/// ingestion composed in (as <c>govshare serve</c> does), and the demo agencies' keys.</summary>
public sealed class DemoCityHost : IDisposable
{
    /// <summary>Persons in the test city: enough for every dataset to have rows, disagreements and quarantine.</summary>
    public const long Persons = 2_000;

    private readonly WebApplicationFactory<Program> _factory;

    /// <summary>Generates and ingests the city, then starts the host.</summary>
    public DemoCityHost() : this(null)
    {
    }

    /// <summary>Generates and ingests the city, then starts the host with extra settings and services (a test clock).</summary>
    public DemoCityHost(IReadOnlyDictionary<string, string>? settings, Action<IServiceCollection>? services = null, Action<string>? beforeStart = null)
    {
        Lake = Path.Combine(Path.GetTempPath(), "govshare-api-" + Guid.NewGuid().ToString("N"));
        Layout = new LakeLayout(Lake);
        Store = DuckDbPlatformStore.Open(Lake);
        Ingestor = new DeliveryIngestor(Layout, Store, IdentifierValidator.Default, TimeProvider.System);
        DemoLake.Seed(Layout, Store, Ingestor, Persons, TimeProvider.System, TextWriter.Null);
        Keys = DemoLake.SeedAgencies(Layout, Store, TimeProvider.System).ToDictionary(c => c.Code, c => c.Key, StringComparer.Ordinal);
        beforeStart?.Invoke(Lake);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Lake:Directory", Lake);
            builder.UseSetting("Engine:RefreshInterval", "00:00:00.200");
            foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(name, value);
            }

            builder.ConfigureServices(collection =>
            {
                collection.AddSingleton<IDeliveryService>(new DeliveryService(Ingestor));
                services?.Invoke(collection);
            });
        });
    }

    /// <summary>The lake folder.</summary>
    public string Lake { get; }

    /// <summary>Its layout.</summary>
    public LakeLayout Layout { get; }

    /// <summary>Its platform store.</summary>
    public DuckDbPlatformStore Store { get; }

    /// <summary>The ingestor, for tests that deliver outside HTTP.</summary>
    public DeliveryIngestor Ingestor { get; }

    /// <summary>API keys by agency code (psb, amr, ..., urban-ops the consumer, operator).</summary>
    public IReadOnlyDictionary<string, string> Keys { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>A client without credentials.</summary>
    public HttpClient Anonymous() => _factory.CreateClient();

    /// <summary>A client that keeps no cookies: a test sends the Cookie header itself (to replay a session cookie).</summary>
    public HttpClient WithoutCookies() => _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    /// <summary>A client authenticated as an agency, naming an end user and a purpose.</summary>
    public HttpClient As(string agency, bool withParty = true) => WithKey(Keys[agency], withParty);

    /// <summary>A new agency of the given kind, with a client authenticated as it (each test its own agency, so that
    /// grants made by one test never show in another).</summary>
    public HttpClient NewAgency(string code, AgencyKind kind = AgencyKind.Consumer) =>
        WithKey(ApiKeys.Issue(Store, code, new GovShare.Lake.Catalogue.LocalizedName(code, code), kind, TimeProvider.System));

    /// <summary>A client authenticated with an API key, naming an end user and a purpose.</summary>
    public HttpClient WithKey(string key, bool withParty = true)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (withParty)
        {
            client.DefaultRequestHeaders.Add("X-End-User", Uri.EscapeDataString("张三"));
            client.DefaultRequestHeaders.Add("X-Purpose", "test");
        }

        return client;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _factory.Dispose();
        try
        {
            Directory.Delete(Lake, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the host's last background work; the temp folder is cleaned by the OS.
        }
    }
}
