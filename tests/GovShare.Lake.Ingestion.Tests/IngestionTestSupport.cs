using System.Text;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Divisions;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Tests;

/// <summary>A clock that says what the test tells it.</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}

/// <summary>A lake folder with its platform store, deleted with the test.</summary>
internal sealed class TestLake : IDisposable
{
    /// <summary>"Today" in the tests: 2026-11-22 10:00 in China.</summary>
    public static readonly DateTimeOffset Today = new(2026, 11, 22, 10, 0, 0, ChinaTime.Offset);

    public TestLake()
    {
        Root = Path.Combine(Path.GetTempPath(), $"govshare-ingest-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        Layout = new LakeLayout(Root);
        Store = DuckDbPlatformStore.Open(Root);
        Clock = new TestClock(Today);
        Validator = new IdentifierValidator(DivisionRegistry.Embedded, Clock);
        Ingestor = new DeliveryIngestor(Layout, Store, Validator, Clock);
    }

    public string Root { get; }

    public LakeLayout Layout { get; }

    public DuckDbPlatformStore Store { get; }

    public TestClock Clock { get; }

    public IdentifierValidator Validator { get; }

    public DeliveryIngestor Ingestor { get; }

    /// <summary>Loads a catalogue entry from YAML text into the store.</summary>
    public CatalogueEntry Load(string yaml)
    {
        var entry = CatalogueYaml.Load(new StringReader(yaml), "test.yaml");
        Store.SaveCatalogueEntry(entry, Clock.GetUtcNow());
        return entry;
    }

    /// <summary>Writes a delivery file in the lake's scratch area.</summary>
    public string File(string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(Root, "files", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(text));
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>Valid identifiers built from their parts.</summary>
internal static class Ids
{
    public static string Citizen(string region, DateOnly birth, int sequence)
    {
        var body = $"{region}{birth:yyyyMMdd}{sequence:D3}";
        return body + CitizenIdNumber.ComputeCheckCharacter(body);
    }
}
