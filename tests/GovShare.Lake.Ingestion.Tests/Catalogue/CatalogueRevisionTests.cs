using GovShare.Lake.Engine;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Ingestion.Tests.Ingest;
using static GovShare.Lake.Ingestion.Tests.Ingest.LakeReads;

namespace GovShare.Lake.Ingestion.Tests.Catalogue;

/// <summary>The catalogue store keeps every dated revision: an unchanged entry changes nothing, a changed
/// schema or mapping is a new revision, and ingestion follows the latest one.</summary>
public sealed class CatalogueRevisionTests : IDisposable
{
    private readonly TestLake _lake = new();

    private const string Incremental = "{ mode: incremental }";

    private const string PhoneField = "  - { source: 联系电话, target: phone }";

    private static readonly DateTimeOffset Later = TestLake.Today.AddDays(30);

    [Fact]
    public void Save_Should_KeepOneRevision_When_TheSameEntryIsSavedTwice()
    {
        var entry = CatalogueYaml.Load(new StringReader(Entries.PersonsYaml()), "psb.household.yaml");

        var first = _lake.Store.SaveCatalogueEntry(entry, TestLake.Today, "psb.household.yaml");
        var second = _lake.Store.SaveCatalogueEntry(entry, Later, "psb.household.yaml");

        Assert.Equal((1, 1), (first.Revision, second.Revision));
        Assert.Equal(first.ContentHash, second.ContentHash);
        Assert.Equal(TestLake.Today, second.ValidFrom);
        Assert.Equal(["created"], second.Changes);
        var only = Assert.Single(_lake.Store.CatalogueHistory(Entries.Persons));
        Assert.Equal(("psb.household.yaml", Entries.Persons, 4), (only.SourceFile, only.Entry.Id, only.Entry.Fields.Count));
    }

    [Fact]
    public void Save_Should_AddADatedRevision_When_TheMappingGainsAField()
    {
        _lake.Load(Entries.PersonsYaml());
        _lake.Clock.Now = Later;

        var revision = _lake.Store.SaveCatalogueEntry(
            CatalogueYaml.Load(new StringReader(Entries.PersonsYaml(extraFields: PhoneField)), "psb.household.yaml"), Later);

        Assert.Equal(2, revision.Revision);
        Assert.Equal(["schema", "mapping"], revision.Changes);
        var history = _lake.Store.CatalogueHistory(Entries.Persons);
        Assert.Equal([1, 2], history.Select(r => r.Revision));
        Assert.Equal([TestLake.Today, Later], history.Select(r => r.ValidFrom));
        Assert.Equal(["created"], history[0].Changes);
        Assert.Equal(4, history[0].Entry.Fields.Count);
        Assert.Equal(5, history[1].Entry.Fields.Count);
        Assert.NotEqual(history[0].ContentHash, history[1].ContentHash);
        Assert.Equal(2, _lake.Store.FindCatalogueEntry(Entries.Persons)!.Revision);
    }

    [Fact]
    public void Save_Should_NameOnlyTheSharing_When_OnlyTheSharingClassChanges()
    {
        _lake.Load(Entries.PersonsYaml());
        var conditional = Entries.PersonsYaml(extraFields: "sharing: { class: conditional, legalBasis: 《郑州市政务数据共享管理办法》第十四条 }");

        var revision = _lake.Store.SaveCatalogueEntry(CatalogueYaml.Load(new StringReader(conditional), "x.yaml"), Later);

        Assert.Equal(2, revision.Revision);
        Assert.Equal(["sharing"], revision.Changes);
    }

    [Fact]
    public void Save_Should_NameTheNames_When_OnlyTheNamesChange()
    {
        _lake.Load(Entries.PersonsYaml());
        var renamed = Entries.PersonsYaml().Replace("户籍人口", "户籍人口基本信息", StringComparison.Ordinal);

        var revision = _lake.Store.SaveCatalogueEntry(CatalogueYaml.Load(new StringReader(renamed), "x.yaml"), Later);

        Assert.Equal(2, revision.Revision);
        Assert.Equal(["names"], revision.Changes);
    }

    [Fact]
    public void Save_Should_NameTheSchema_When_AFieldTargetsAnotherAttribute()
    {
        _lake.Load(Entries.PersonsYaml(extraFields: "  - { source: 住址, target: household_address }"));

        var revision = _lake.Store.SaveCatalogueEntry(
            CatalogueYaml.Load(new StringReader(Entries.PersonsYaml(extraFields: "  - { source: 住址, target: residence_address }")), "x.yaml"), Later);

        Assert.Equal(2, revision.Revision);
        Assert.Equal(["schema", "mapping"], revision.Changes);
    }

    [Fact]
    public void Save_Should_RefuseAnInvalidEntry()
    {
        var entry = CatalogueYaml.Load(new StringReader(Entries.PersonsYaml()), "x.yaml") with { QuarantineThreshold = 2 };

        var error = Assert.Throws<LakeException>(() => _lake.Store.SaveCatalogueEntry(entry, TestLake.Today));

        Assert.Equal(LakeErrorKind.InvalidInput, error.Kind);
        Assert.Contains("quarantineThreshold", error.Message, StringComparison.Ordinal);
        Assert.Empty(_lake.Store.CatalogueHistory(Entries.Persons));
    }

    [Fact]
    public void ListCatalogue_Should_GiveTheLatestRevisionOfEachEntry_ById()
    {
        _lake.Load(Entries.PersonsYaml());
        _lake.Load(Entries.EntitiesYaml());
        _lake.Clock.Now = Later;
        _lake.Load(Entries.PersonsYaml(threshold: "0.1"));

        var list = _lake.Store.ListCatalogue();

        Assert.Equal([(Entries.Entities, 1), (Entries.Persons, 2)], list.Select(r => (r.Entry.Id, r.Revision)));
        Assert.Equal(["threshold"], list[1].Changes);
    }

    [Fact]
    public void Ingest_Should_AddTheNewColumnToTheProviderTable_When_ARevisionMapsANewField()
    {
        _lake.Load(Entries.PersonsYaml(delivery: Incremental));
        var first = _lake.Ingestor.Ingest(_lake.File("monday.csv", People.Csv($"{People.A},张三,男,19900501", $"{People.B},李四,女,19850131")), Entries.Persons);
        _lake.Clock.Now = Later;
        _lake.Load(Entries.PersonsYaml(delivery: Incremental, extraFields: PhoneField));

        var second = _lake.Ingestor.Ingest(
            _lake.File("later.csv", $"{People.Header},联系电话\n{People.C},王五,男,19701212,13800000000\n"), Entries.Persons);

        Assert.Equal((1, BatchStatus.Committed), (first.CatalogueRevision, first.Status));
        Assert.Equal((2, BatchStatus.Committed), (second.CatalogueRevision, second.Status));
        Assert.Equal(2, _lake.Store.FindBatch(second.BatchId)!.CatalogueRevision);
        Assert.Equal(
            [[People.A, null, first.BatchId], [People.B, null, first.BatchId], [People.C, "13800000000", second.BatchId]],
            Provider(_lake, Entries.Persons, "id_number, phone, batch_id", "batch_id = " + LakeDuckDb.Literal(second.BatchId) + ", id_number"));
    }

    [Fact]
    public void Ingest_Should_SayNotFound_When_TheDatasetHasNoCatalogueEntry()
    {
        var file = _lake.File("p.csv", People.Csv($"{People.A},张三,男,19900501"));

        var error = Assert.Throws<LakeException>(() => _lake.Ingestor.Ingest(file, Entries.Persons));

        Assert.Equal(LakeErrorKind.NotFound, error.Kind);
        Assert.Empty(_lake.Store.ListBatches());
    }

    public void Dispose() => _lake.Dispose();
}
