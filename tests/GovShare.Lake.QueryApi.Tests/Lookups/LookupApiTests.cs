using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovShare.Lake.QueryApi.Lookups;
using GovShare.Lake.QueryApi.Tests.Query;
using Microsoft.Extensions.DependencyInjection;

namespace GovShare.Lake.QueryApi.Tests.Lookups;

/// <summary>Key lookups on the demo city, from the index and, before it is built, from the lake's files; answers
/// cross-checked against the consolidated views and the city's labelled disagreements.</summary>
public sealed class LookupApiTests(DemoCityFixture city) : IClassFixture<DemoCityFixture>
{
    [Fact]
    public async Task PersonLookup_Should_MatchTheConsolidatedView_AttributeByAttribute()
    {
        using var client = city.Host.As("urban-ops");
        var view = await QueryApiTests.Json(client, "SELECT * FROM population.persons WHERE name IS NOT NULL ORDER BY id_number LIMIT 1 OFFSET 17");
        var columns = view.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
        var row = view.GetProperty("rows")[0];
        var id = row[columns.IndexOf("id_number")].GetString()!;

        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                city.Host.Services.GetRequiredService<LookupIndex>().Rebuild();
            }

            var answer = await Lookup(client, "person", new { idNumber = id });
            var attributes = answer.GetProperty("record").GetProperty("attributes");
            for (var i = 0; i < columns.Count; i++)
            {
                if (columns[i] == "id_number")
                {
                    continue;
                }

                var expected = row[i];
                if (expected.ValueKind == JsonValueKind.Null)
                {
                    Assert.False(attributes.TryGetProperty(columns[i], out _), $"{columns[i]} should be absent");
                }
                else
                {
                    Assert.Equal(expected.ToString(), attributes.GetProperty(columns[i]).GetProperty("value").ToString());
                }
            }

            Assert.Equal(id, answer.GetProperty("record").GetProperty("key").GetString());
            Assert.Equal("psb", attributes.GetProperty("name").GetProperty("agency").GetString());
            Assert.True(attributes.GetProperty("name").GetProperty("authoritative").GetBoolean());
            Assert.True(attributes.GetProperty("name").GetProperty("version").GetInt64() >= 0);
        }
    }

    [Fact]
    public async Task Index_Should_AnswerLikeTheLakesFiles_BeforeAndAfterItIsBuilt()
    {
        using var client = city.Host.As("urban-ops");
        var ids = (await QueryApiTests.Json(client, "SELECT holder_key FROM licence.licences WHERE holder_kind = 'citizen' ORDER BY licence_no LIMIT 5"))
            .GetProperty("rows").EnumerateArray().Select(r => r[0].GetString()!).ToList();
        var engine = city.Host.Services.GetRequiredService<GovShare.Lake.QueryApi.Engine.LakeEngine>();
        using var index = new LookupIndex(engine, Microsoft.Extensions.Logging.Abstractions.NullLogger<LookupIndex>.Instance);

        // A new index has not been built: it reads the lake's files through DuckDB.
        Assert.Null(index.Version);
        var fromFiles = ids.Select(id => Rows(index, id)).ToList();
        index.Rebuild();
        var fromIndex = ids.Select(id => Rows(index, id)).ToList();

        Assert.NotNull(index.Version);
        Assert.Equal(fromFiles, fromIndex);
        Assert.All(fromIndex, rows => Assert.Contains("licence|", rows, StringComparison.Ordinal));
    }

    [Fact]
    public async Task LookupIndex_Should_MapTheSegmentsOnDisk_NotBuildThemAgain_When_AnotherIndexStartsOnTheSameVersion()
    {
        using var client = city.Host.As("urban-ops");
        var ids = (await QueryApiTests.Json(client, "SELECT holder_key FROM licence.licences WHERE holder_kind = 'citizen' ORDER BY licence_no LIMIT 3"))
            .GetProperty("rows").EnumerateArray().Select(r => r[0].GetString()!).ToList();
        var hosts = city.Host.Services.GetRequiredService<LookupIndex>();
        hosts.Rebuild();
        var folder = Path.Combine(city.Host.Lake, "tmp", "lookup", "segments");
        var written = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList();
        Assert.Equal(3, written.Count(f => f.f.EndsWith(".seg", StringComparison.Ordinal)));
        Assert.Equal(3, written.Count(f => f.f.EndsWith(".idx", StringComparison.Ordinal)));

        // A second host on the lake (here: a second index in this one) starts on the same version.
        var engine = city.Host.Services.GetRequiredService<GovShare.Lake.QueryApi.Engine.LakeEngine>();
        using var second = new LookupIndex(engine, Microsoft.Extensions.Logging.Abstractions.NullLogger<LookupIndex>.Instance);
        second.Rebuild();

        Assert.Equal(hosts.Version, second.Version);
        Assert.Equal(written, Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList());
        Assert.Equal(ids.Select(id => Rows(hosts, id)), ids.Select(id => Rows(second, id)));
    }

    private static string Rows(LookupIndex index, string id)
    {
        var (_, rows, _) = index.Find(id, ("self", LookupIndex.Persons, "key"), ("licence", LookupIndex.Licences, "holder_key"), ("entity", LookupIndex.Entities, "legal_rep_id_number"));
        return string.Join("\n", rows.Select(r => $"{r.Part}|{r.Key}|{r.Dataset}|{r.Agency}|{r.TableVersion}|{r.Payload.GetRawText()}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PersonLookup_Should_ListEveryValueAndWhoHoldsIt_When_ProvidersDisagree()
    {
        using var client = city.Host.As("urban-ops");
        var labels = File.ReadAllLines(Path.Combine(city.Host.Lake, "demo-city", "labels", "disagreements.csv"))
            .Skip(1).Select(l => l.Split(',')).Where(f => f[0] == "citizen" && f[2] == "name" && f[3] == "psb.household" && f[5] == "mca.marriage").ToList();
        Assert.NotEmpty(labels);

        var checkedOne = false;
        foreach (var label in labels)
        {
            using var response = await client.PostAsJsonAsync("/api/lookup/person", new { idNumber = label[1] });
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue; // the row was quarantined on purpose
            }

            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
            var name = answer.GetProperty("record").GetProperty("attributes").GetProperty("name");
            if (!name.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
            {
                continue; // one side's row was quarantined
            }

            Assert.Contains("name", answer.GetProperty("record").GetProperty("disagreements").EnumerateArray().Select(d => d.GetString()));
            var held = values.EnumerateArray().ToDictionary(v => v.GetProperty("value").GetString()!, v => v.GetProperty("datasets").EnumerateArray().Select(d => d.GetString()).ToList());
            Assert.Contains("psb.household", held[label[4]]);
            Assert.Contains("mca.marriage", held[label[6]]);
            Assert.Equal(label[4], name.GetProperty("value").GetString()); // the household register is the authority for names
            checkedOne = true;
            break;
        }

        Assert.True(checkedOne, "no labelled name disagreement reached the lake");
    }

    [Fact]
    public async Task PersonLookup_Should_IncludeTheirLicencesAndTheEntitiesTheyRepresent()
    {
        using var client = city.Host.As("urban-ops");
        var licence = (await QueryApiTests.Json(client, "SELECT holder_key, licence_no FROM licence.licences WHERE holder_kind = 'citizen' ORDER BY licence_no LIMIT 1")).GetProperty("rows")[0];
        var entity = (await QueryApiTests.Json(client, "SELECT legal_rep_id_number, uscc FROM legal_entity.entities e WHERE legal_rep_id_number IN (SELECT id_number FROM population.persons) ORDER BY uscc LIMIT 1")).GetProperty("rows")[0];

        var holder = await Lookup(client, "person", new { idNumber = licence[0].GetString() });
        var representative = await Lookup(client, "person", new { idNumber = entity[0].GetString() });

        Assert.Contains(licence[1].GetString(), holder.GetProperty("licences").EnumerateArray().Select(l => l.GetProperty("key").GetString()));
        Assert.Contains(entity[1].GetString(), representative.GetProperty("entities").EnumerateArray().Select(l => l.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task EntityLookup_Should_FindTheSameEntity_ByCreditCodeOrganisationCodeOrLicenceNumber_WithItsLicences()
    {
        using var client = city.Host.As("urban-ops");
        var row = (await QueryApiTests.Json(client, """
            SELECT e.uscc, e.org_code, e.licence_reg_no, l.licence_no FROM legal_entity.entities e JOIN licence.licences l ON l.holder_key = e.uscc
            WHERE e.org_code IS NOT NULL AND e.licence_reg_no IS NOT NULL ORDER BY e.uscc LIMIT 1
            """)).GetProperty("rows")[0];

        var byUscc = await Lookup(client, "entity", new { uscc = row[0].GetString() });
        var byOrg = await Lookup(client, "entity", new { orgCode = row[1].GetString() });
        var byLicence = await Lookup(client, "entity", new { licenceNo = row[2].GetString() });

        foreach (var answer in new[] { byUscc, byOrg, byLicence })
        {
            Assert.Equal(row[0].GetString(), answer.GetProperty("record").GetProperty("key").GetString());
            Assert.Equal("legal_entity.entities", answer.GetProperty("record").GetProperty("table").GetString());
            Assert.Contains(row[3].GetString(), answer.GetProperty("licences").EnumerateArray().Select(l => l.GetProperty("key").GetString()));
        }
    }

    [Fact]
    public async Task LicenceLookup_Should_AnswerTheLicenceWithItsIssuer()
    {
        using var client = city.Host.As("urban-ops");
        var row = (await QueryApiTests.Json(client, "SELECT licence_no, holder_name FROM licence.licences ORDER BY licence_no LIMIT 1")).GetProperty("rows")[0];

        var answer = await Lookup(client, "licence", new { licenceNo = row[0].GetString() });

        Assert.Equal(row[1].GetString(), answer.GetProperty("record").GetProperty("attributes").GetProperty("holder_name").GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("person", """{"idNumber":"410106198609180185"}""", "BadCheckCharacter")]
    [InlineData("person", """{"idNumber":"41010619860918"}""", "BadLength")]
    [InlineData("person", """{}""", "Empty")]
    [InlineData("entity", """{"uscc":"91410100MA44XXXXXX"}""", null)]
    [InlineData("entity", """{"uscc":"91410100MA44XXXXXX","orgCode":"12345678-9"}""", null)]
    [InlineData("licence", """{"licenceNo":""}""", null)]
    public async Task Lookup_Should_Answer400WithTheValidatorsReason_When_TheKeyIsInvalid(string kind, string body, string? problem)
    {
        using var client = city.Host.As("urban-ops");

        using var response = await client.PostAsync($"/api/lookup/{kind}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("detail").GetString()));
        if (problem is not null)
        {
            Assert.Equal(problem, answer.GetProperty("problem").GetString());
        }
    }

    [Fact]
    public async Task PersonLookup_Should_Answer404WithoutTheNumber_When_NoOneHasIt()
    {
        using var client = city.Host.As("urban-ops");
        const string valid = "11010519491231002X"; // the standard's example number: valid, not in the demo city

        using var response = await client.PostAsJsonAsync("/api/lookup/person", new { idNumber = valid });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(valid, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookups_Should_RequireAKeyAndTheEndUser()
    {
        using var anonymous = city.Host.Anonymous();
        using var noParty = city.Host.As("urban-ops", withParty: false);

        using var unauthenticated = await anonymous.PostAsJsonAsync("/api/lookup/person", new { idNumber = "11010519491231002X" });
        using var unnamed = await noParty.PostAsJsonAsync("/api/lookup/person", new { idNumber = "11010519491231002X" });

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
    }

    [Fact]
    public async Task Places_Should_GiveTheDivisionsPeriods_AndThePlacesInIt()
    {
        using var client = city.Host.As("urban-ops");
        var division = (await QueryApiTests.Json(client, "SELECT division_code, count(*) FROM geo.places GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1")).GetProperty("rows")[0];

        using var response = await client.GetAsync($"/api/places/{division[0].GetString()}");
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        using var zhongyuan = await client.GetAsync("/api/places/410102");
        using var bad = await client.GetAsync("/api/places/41A102");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(division[1].GetInt64(), answer.GetProperty("places").GetArrayLength());
        Assert.NotEmpty(answer.GetProperty("periods").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, zhongyuan.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task<JsonElement> Lookup(HttpClient client, string kind, object body)
    {
        using var response = await client.PostAsJsonAsync($"/api/lookup/{kind}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
