using System.Text.Json;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Tests.Ingest;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Tests.Catalogue;

/// <summary>The catalogue's production-time column (<c>producedAt</c>): only for 3-day entries, a column the entry
/// reads, kept through the store and its freshness projection.</summary>
public sealed class ProducedAtCatalogueTests : IDisposable
{
    private readonly TestLake _lake = new();

    private static CatalogueEntry Load(string yaml) => CatalogueYaml.Load(new StringReader(yaml), "psb.household.yaml");

    private static CatalogueFileProblem Problem(string yaml) =>
        Assert.Single(Assert.Throws<CatalogueFileException>(() => Load(yaml)).Problems);

    [Fact]
    public void Load_Should_ReadAnUnmappedProductionColumn_When_TheFileNamesItsColumns()
    {
        var entry = Load(Entries.PersonsYaml(extraFields: "producedAt: 登记时间"));

        Assert.Equal("登记时间", entry.ProducedAt);
        Assert.Equal(UpdateDeadline.Within3Days, entry.UpdateDeadline);
    }

    [Fact]
    public void Load_Should_RejectProducedAt_When_TheDeadlineIsNotWithinThreeDays_NamingTheKey()
    {
        var problem = Problem(Entries.PersonsYaml(extraFields: "producedAt: 登记时间\nupdateDeadline: real_time"));

        Assert.Equal("producedAt", problem.Path);
        Assert.Contains("within_3_days only", problem.Message, StringComparison.Ordinal);
        Assert.Contains("real_time", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Line > 0);
        Assert.StartsWith("psb.household.yaml:", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Should_NameTheEntryAndTheKey_When_AQuarterlyEntryHasAProductionColumn()
    {
        var entry = Load(Entries.PersonsYaml()) with { UpdateDeadline = UpdateDeadline.Quarterly, ProducedAt = "登记时间" };

        var error = Assert.Throws<LakeException>(() => _lake.Store.SaveCatalogueEntry(entry, TestLake.Today));

        Assert.Equal(LakeErrorKind.InvalidInput, error.Kind);
        Assert.Contains("catalogue entry psb.household is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("producedAt: a production-time column applies to updateDeadline within_3_days only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Should_RejectAProductionColumn_ThatIsNotAmongTheDeclaredColumns()
    {
        var problem = Problem(Entries.PersonsYaml(
            source: "{ format: csv, header: false, columns: [公民身份号码, 姓名, 性别, 出生日期, 登记日期] }", extraFields: "producedAt: 登记时间"));

        Assert.Equal("producedAt", problem.Path);
        Assert.Contains("'登记时间' is neither a mapped source column nor among source.columns (公民身份号码, 姓名, 性别, 出生日期, 登记日期)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Should_RejectAProductionColumn_MappedToAnAttributeThatIsNoDate()
    {
        var problem = Problem(Entries.PersonsYaml(extraFields: "producedAt: 姓名"));

        Assert.Equal("producedAt", problem.Path);
        Assert.Contains("'姓名' is mapped to name, a string; a production time is a date or timestamp", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Should_AcceptAProductionColumn_MappedToADate_OrDeclaredInTheColumns()
    {
        var mapped = Load(Entries.PersonsYaml(extraFields: "producedAt: 出生日期"));
        var declared = Load(Entries.PersonsYaml(
            source: "{ format: csv, header: false, columns: [公民身份号码, 姓名, 性别, 出生日期, 登记时间] }", extraFields: "producedAt: 登记时间"));

        Assert.Equal(("出生日期", "登记时间"), (mapped.ProducedAt, declared.ProducedAt));
    }

    [Fact]
    public void Store_Should_KeepTheProductionColumn_ThroughItsRevisions_AndTheFreshnessProjection()
    {
        var before = _lake.Load(Entries.PersonsYaml());
        var withProduction = Load(Entries.PersonsYaml(extraFields: "producedAt: 登记时间"));

        var revision = _lake.Store.SaveCatalogueEntry(withProduction, TestLake.Today.AddDays(1));
        var again = _lake.Store.SaveCatalogueEntry(Load(Entries.PersonsYaml(extraFields: "producedAt: 登记时间")), TestLake.Today.AddDays(2));

        Assert.Equal(2, revision.Revision);
        Assert.Equal(["deadline"], revision.Changes);
        Assert.Equal(2, again.Revision);
        var stored = _lake.Store.FindCatalogueEntry(Entries.Persons)!.Entry;
        Assert.Equal("登记时间", stored.ProducedAt);
        Assert.Equal(JsonSerializer.Serialize(withProduction, DuckDbPlatformStore.Json), JsonSerializer.Serialize(stored, DuckDbPlatformStore.Json));
        var subject = Assert.Single(_lake.Store.ListFreshnessSubjects());
        Assert.Equal(("登记时间", TestLake.Today), (subject.ProducedAt, subject.RegisteredAt));
        // An entry without the key serialises exactly as before the key existed: its content hash does not change, so an
        // unchanged catalogue loaded again is no new revision.
        Assert.DoesNotContain("producedAt", JsonSerializer.Serialize(before, DuckDbPlatformStore.Json), StringComparison.Ordinal);
    }

    public void Dispose() => _lake.Dispose();
}
