using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.QueryApi.Tests.Query;

namespace GovShare.Lake.QueryApi.Tests.Catalogue;

/// <summary>The catalogue on the demo city: the list and its filters checked against the catalogue entries in the
/// platform store and the demo themes, one dataset and one theme in full, and the DCAT-AP JSON-LD rendering.</summary>
public sealed class CatalogueApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    [Fact]
    public async Task Catalogue_Should_ListTheTenDatasetsAndTheFourThemes()
    {
        using var client = city.Host.As("urban-ops");

        var list = await List(client, "");

        Assert.Equal(14, list.Count);
        Assert.Equal(Entries().Select(e => e.Id).Order(StringComparer.Ordinal), Ids(list.Where(r => Kind(r) == "dataset")));
        Assert.Equal(DemoThemes.All.Select(t => t.Id).Order(StringComparer.Ordinal), Ids(list.Where(r => Kind(r) == "theme")));
        Assert.Equal(Ids(list), Ids(list).Order(StringComparer.Ordinal));
        Assert.All(list.Where(r => Kind(r) == "dataset"), r => Assert.Equal("committed", r.GetProperty("lastDelivery").GetProperty("status").GetString()));
        Assert.All(list.Where(r => Kind(r) == "theme"), r => Assert.Equal("themes", r.GetProperty("baseDatabase").GetString()));
    }

    [Theory]
    [InlineData("户籍")]
    [InlineData("郑州市公安局")]
    public async Task Catalogue_Should_FindTheHouseholdRegister_When_SearchedInChinese(string text)
    {
        using var client = city.Host.As("urban-ops");

        var found = await List(client, "?q=" + Uri.EscapeDataString(text));

        Assert.Equal(["psb.household"], Ids(found));
    }

    [Fact]
    public async Task Catalogue_Should_SearchNamesDescriptionsAndAgencies_IgnoringCase()
    {
        using var client = city.Host.As("urban-ops");

        var found = await List(client, "?q=HEALTH");

        var expected = Entries().Where(e => Mentions(e.Name.En, "health") || Mentions(e.Agency.Name.En, "health") || Mentions(e.Description, "health"))
            .Select(e => e.Id)
            .Concat(DemoThemes.All.Where(t => Mentions(t.Name.En, "health") || Mentions(t.Description, "health")).Select(t => t.Id))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, Ids(found));
        Assert.Contains("nhc.vital", Ids(found));
    }

    [Fact]
    public async Task Catalogue_Should_ListOnlyTheProvidersDatasets_When_FilteredByProvider()
    {
        using var client = city.Host.As("urban-ops");

        var found = await List(client, "?provider=psb");

        Assert.Equal(Entries().Where(e => e.Agency.Code == "psb").Select(e => e.Id), Ids(found));
        Assert.Equal(["psb.household"], Ids(found));
    }

    [Theory]
    [InlineData("unconditional", SharingClass.Unconditional)]
    [InlineData("conditional", SharingClass.Conditional)]
    public async Task Catalogue_Should_ListDatasetsAndThemesOfTheClass_When_FilteredBySharingClass(string name, SharingClass sharing)
    {
        using var client = city.Host.As("urban-ops");

        var found = await List(client, "?sharingClass=" + name);

        var expected = Entries().Where(e => e.Sharing.Class == sharing).Select(e => e.Id)
            .Concat(DemoThemes.All.Where(t => t.Sharing.Class == sharing).Select(t => t.Id))
            .Order(StringComparer.Ordinal);
        Assert.NotEmpty(found);
        Assert.Equal(expected, Ids(found));
        Assert.All(found, r => Assert.Equal(name, r.GetProperty("sharingClass").GetString()));
    }

    [Fact]
    public async Task Catalogue_Should_ListTheThemeAndTheDatasetsFeedingIt_When_FilteredByTheme()
    {
        using var client = city.Host.As("urban-ops");

        var found = await List(client, "?theme=credit");

        var expected = Entries().Where(e => e.Themes.Contains("credit")).Select(e => e.Id).Append("credit").Order(StringComparer.Ordinal);
        Assert.Equal(expected, Ids(found));
        Assert.Contains("amr.entities", Ids(found));
    }

    [Fact]
    public async Task Catalogue_Should_ListThePopulationDatasets_When_FilteredByBaseDatabase()
    {
        using var client = city.Host.As("urban-ops");

        var found = await List(client, "?baseDatabase=population");

        Assert.Equal(["hrss.insured", "mca.marriage", "nhc.vital", "psb.household"], Ids(found));
        Assert.All(found, r => Assert.Equal("population.persons", r.GetProperty("target").GetString()));
    }

    [Fact]
    public async Task Catalogue_Should_CombineFilters()
    {
        using var client = city.Host.As("urban-ops");

        var found = await List(client, "?provider=nhc&baseDatabase=licence");

        Assert.Equal(["nhc.practising_cert"], Ids(found));
    }

    [Fact]
    public async Task Entry_Should_DescribeTheHouseholdRegister_WithSchemaSharingDeadlineDeliveryRevisionsAndVersions()
    {
        using var client = city.Host.As("urban-ops");
        var entry = city.Host.Store.FindCatalogueEntry("psb.household")!.Entry;

        using var response = await client.GetAsync(new Uri("/api/catalogue/psb.household", UriKind.Relative));
        var detail = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = detail.GetProperty("summary");
        Assert.Equal("dataset", summary.GetProperty("kind").GetString());
        Assert.Equal("户籍人口基本信息", summary.GetProperty("name").GetProperty("zh").GetString());
        Assert.Equal("psb", summary.GetProperty("agency").GetProperty("code").GetString());
        Assert.Equal("conditional", summary.GetProperty("sharingClass").GetString());
        Assert.Equal(entry.Sharing.LegalBasis, summary.GetProperty("legalBasis").GetString());
        Assert.Equal("within_3_days", summary.GetProperty("updateDeadline").GetString());
        Assert.Equal("公民身份号码", detail.GetProperty("key").GetString());
        Assert.Equal(entry.Sharing.Conditions, detail.GetProperty("conditions").GetString());

        var schema = detail.GetProperty("schema").EnumerateArray().ToList();
        Assert.Equal(entry.Fields.Select(f => f.Target), schema.Select(c => c.GetProperty("name").GetString()!));
        Assert.Equal(entry.Fields.Select(f => f.Source), schema.Select(c => c.GetProperty("sourceColumn").GetString()!));
        var idNumber = schema.Single(c => c.GetProperty("name").GetString() == "id_number");
        Assert.Equal("公民身份号码", idNumber.GetProperty("chinese").GetString());
        Assert.True(idNumber.GetProperty("required").GetBoolean());
        Assert.Equal("户籍地行政区划代码", schema.Single(c => c.GetProperty("name").GetString() == "household_division").GetProperty("chinese").GetString());
        Assert.All(schema, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("chinese").GetString())));

        var delivery = summary.GetProperty("lastDelivery");
        var batch = city.Host.Store.ListBatches("psb.household", 1).Single();
        Assert.Equal("committed", delivery.GetProperty("status").GetString());
        Assert.Equal(batch.BatchId, delivery.GetProperty("batchId").GetString());
        Assert.StartsWith("household_", delivery.GetProperty("fileName").GetString(), StringComparison.Ordinal);
        Assert.Equal(batch.Accepted, delivery.GetProperty("accepted").GetInt64());
        Assert.True(delivery.GetProperty("accepted").GetInt64() > 0);

        var revisions = detail.GetProperty("revisions").EnumerateArray().ToList();
        Assert.Equal(1, revisions.Single().GetProperty("revision").GetInt32());
        var versions = detail.GetProperty("versions").EnumerateArray().ToList();
        Assert.NotEmpty(versions);
        Assert.Equal(delivery.GetProperty("tableVersion").GetInt64(), versions[0].GetProperty("tableVersion").GetInt64());
        Assert.True(versions[0].GetProperty("lakeVersion").GetInt64() >= 1);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("sql").ValueKind);
    }

    [Fact]
    public async Task Entry_Should_GiveAThemesSqlAndColumns()
    {
        using var client = city.Host.As("urban-ops");
        var theme = DemoThemes.All.Single(t => t.Id == "credit");

        using var response = await client.GetAsync(new Uri("/api/catalogue/credit", UriKind.Relative));
        var detail = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("theme", detail.GetProperty("summary").GetProperty("kind").GetString());
        Assert.Equal("themes.credit", detail.GetProperty("summary").GetProperty("target").GetString());
        Assert.Equal(theme.Sql.Trim(), detail.GetProperty("sql").GetString()!.Trim());
        Assert.Equal("uscc", detail.GetProperty("key").GetString());
        var schema = detail.GetProperty("schema").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("type").GetString());
        Assert.Equal("VARCHAR", schema["uscc"]);
        Assert.Equal("DECIMAL(20,2)", schema["registered_capital"]);
        Assert.Equal("BIGINT", schema["valid_licences"]);
    }

    [Fact]
    public async Task Entry_Should_Answer404Problem_When_TheIdIsUnknown()
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.GetAsync(new Uri("/api/catalogue/psb.no_such_dataset", UriKind.Relative));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("psb.no_such_dataset", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/catalogue")]
    [InlineData("/api/catalogue/psb.household")]
    [InlineData("/api/catalogue.jsonld")]
    public async Task Catalogue_Should_Answer401Problem_When_NoKeyIsSent(string path)
    {
        using var client = city.Host.Anonymous();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task JsonLd_Should_BeADcatCatalog_WithAccessRightsAndAPublisherForEveryResource()
    {
        using var client = city.Host.As("urban-ops");
        var list = await List(client, "");

        using var response = await client.GetAsync(new Uri("/api/catalogue.jsonld", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var catalog = document.RootElement;
        Assert.Equal("dcat:Catalog", catalog.GetProperty("@type").GetString());
        Assert.Equal("http://www.w3.org/ns/dcat#", catalog.GetProperty("@context").GetProperty("dcat").GetString());
        Assert.Equal("http://purl.org/dc/terms/", catalog.GetProperty("@context").GetProperty("dct").GetString());

        var datasets = catalog.GetProperty("dcat:dataset").EnumerateArray().ToList();
        Assert.Equal(list.Count, datasets.Count);
        foreach (var dataset in datasets)
        {
            var id = dataset.GetProperty("dct:identifier").GetString()!;
            var listed = list.Single(r => r.GetProperty("id").GetString() == id);
            Assert.Equal("dcat:Dataset", dataset.GetProperty("@type").GetString());
            var rights = dataset.GetProperty("dct:accessRights").GetProperty("@id").GetString();
            Assert.Equal("http://publications.europa.eu/resource/authority/access-right/" +
                (listed.GetProperty("sharingClass").GetString() == "unconditional" ? "PUBLIC" : "RESTRICTED"), rights);
            var publisher = dataset.GetProperty("dct:publisher");
            Assert.Equal(listed.GetProperty("agency").GetProperty("code").GetString(), publisher.GetProperty("dct:identifier").GetString());
            Assert.Contains(publisher.GetProperty("foaf:name").EnumerateArray(),
                n => n.GetProperty("@language").GetString() == "zh" && n.GetProperty("@value").GetString() == listed.GetProperty("agency").GetProperty("name").GetProperty("zh").GetString());
            Assert.NotEmpty(dataset.GetProperty("dcat:distribution").EnumerateArray());
        }

        var household = datasets.Single(d => d.GetProperty("dct:identifier").GetString() == "psb.household");
        Assert.Contains(household.GetProperty("dct:title").EnumerateArray(), t => t.GetProperty("@value").GetString() == "户籍人口基本信息");
        Assert.Contains("户籍人口基本信息", text, StringComparison.Ordinal);
        var credit = datasets.Single(d => d.GetProperty("dct:identifier").GetString() == "credit");
        Assert.Equal(4, credit.GetProperty("dcat:distribution").EnumerateArray().Count(d => d.TryGetProperty("dcat:downloadURL", out _)));
    }

    // Regression: dct:modified was the end of the latest delivery whatever its outcome, so a refused delivery
    // told harvesters the dataset had changed. The lake changes (a refused batch is recorded), so the test has its own city.
    [Fact]
    public async Task JsonLd_Should_NotDateAChange_When_TheLatestDeliveryWasRefused()
    {
        using var host = new DemoCityHost();
        using var nr = host.As("nr", withParty: false);
        using var consumer = host.As("urban-ops");
        var modifiedBefore = Modified(await JsonLd(consumer), "nr.places");
        var invalid = "地点编码,地点名称,标准地址,行政区划代码,经度,纬度,用途,面积（平方米）\n" +
            string.Concat(Enumerable.Range(1, 10).Select(i => string.Create(CultureInfo.InvariantCulture, $"4101059997{i:0000},,,999999,,,,\n")));

        using var refused = await nr.PostAsync(new Uri("/api/datasets/nr.places/deliveries?fileName=places_refused.csv", UriKind.Relative),
            new ByteArrayContent(Encoding.UTF8.GetBytes(invalid)));
        var list = await List(consumer, "?provider=nr");
        var modifiedAfter = Modified(await JsonLd(consumer), "nr.places");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("refused", list.Single().GetProperty("lastDelivery").GetProperty("status").GetString());
        Assert.NotNull(modifiedBefore);
        Assert.Null(modifiedAfter);
    }

    private static async Task<JsonElement> JsonLd(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/catalogue.jsonld", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string? Modified(JsonElement catalog, string id) =>
        catalog.GetProperty("dcat:dataset").EnumerateArray().Single(d => d.GetProperty("dct:identifier").GetString() == id)
            .TryGetProperty("dct:modified", out var modified) ? modified.GetProperty("@value").GetString() : null;

    private List<CatalogueEntry> Entries() => city.Host.Store.ListCatalogue().Select(r => r.Entry).ToList();

    private static bool Mentions(string? text, string word) => text?.Contains(word, StringComparison.OrdinalIgnoreCase) == true;

    private static string Kind(JsonElement resource) => resource.GetProperty("kind").GetString()!;

    private static List<string> Ids(IEnumerable<JsonElement> resources) => resources.Select(r => r.GetProperty("id").GetString()!).ToList();

    private static async Task<List<JsonElement>> List(HttpClient client, string query)
    {
        using var response = await client.GetAsync(new Uri("/api/catalogue" + query, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
