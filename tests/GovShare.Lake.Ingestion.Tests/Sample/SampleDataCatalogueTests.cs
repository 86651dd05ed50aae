using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Sample;

namespace GovShare.Lake.Ingestion.Tests.Sample;

/// <summary>The demo city's catalogue entries are kept in <c>sample-data/catalogue/</c> for people to read and
/// edit from; they must stay what the generator writes (and valid).</summary>
public sealed class SampleDataCatalogueTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "govshare-sample-catalogue-" + Guid.NewGuid().ToString("N"));

    /// <summary>The committed <c>sample-data/catalogue</c> folder.</summary>
    internal static string Committed()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "sample-data", "catalogue");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("sample-data/catalogue not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void SampleDataCatalogue_Should_BeValid_AndEqualWhatTheGeneratorWrites()
    {
        var committed = Committed();
        SyntheticCity.Generate(new SyntheticCityOptions { OutputDirectory = _out, Persons = 500 });
        var generated = Directory.GetFiles(Path.Combine(_out, "catalogue"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(generated, Directory.GetFiles(committed, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var name in generated)
        {
            // On a difference: regenerate with `./govshare sample generate --out DIR` and copy DIR/catalogue/*.yaml here.
            Assert.Equal(File.ReadAllText(Path.Combine(_out, "catalogue", name!)), File.ReadAllText(Path.Combine(committed, name!)));
        }

        Assert.Equal(10, CatalogueYaml.LoadFolder(committed).Count);
    }

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }
}
