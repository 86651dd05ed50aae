using System.Net;
using static GovShare.Lake.QueryApi.Tests.Access.AccessCalls;

namespace GovShare.Lake.QueryApi.Tests.Access;

/// <summary>A class change to not-shared (in a city of its own: it takes mca.marriage away from every agency).</summary>
public sealed class NotSharedTests(AccessCityFixture city) : IClassFixture<AccessCityFixture>
{
    private DemoCityHost Host => city.Host;

    [Fact]
    public async Task NotShared_Should_OpenOnlyToAnOperatorGrantCitingALegalBasis_AfterAnApprovedClassChange()
    {
        using var psb = Host.As("psb");
        using var operatorClient = Host.As("operator");
        using var consumer = Host.NewAgency("not-shared-reader");
        using var mca = Host.As("mca");
        using var providerGranted = Host.NewAgency("provider-granted");
        var (early, _, _) = await Request(providerGranted, new { entryId = "mca.marriage", purpose = "公证" });
        Assert.Equal(HttpStatusCode.OK, (await Post(mca, $"/api/access-requests/{early}/decision", new { approve = true, legalBasis = "provider's own reading" })).Status);
        await AcceptAgreement(providerGranted, "mca.marriage");
        Assert.Equal(HttpStatusCode.OK, (await Sql(providerGranted, "SELECT count(*) FROM src.\"mca.marriage\"")).Status);

        // The provider proposes; a not-shared class needs a legal basis; the operator approves; the history keeps it.
        var (missingBasis, _) = await Post(mca, "/api/catalogue/mca.marriage/sharing-changes", new { @class = "not_shared" });
        var (proposed, change) = await Post(mca, "/api/catalogue/mca.marriage/sharing-changes",
            new { @class = "not_shared", legalBasis = "《婚姻登记条例》第二十条", reason = "婚姻登记档案不再共享" });
        var (notOperator, _) = await Post(psb, $"/api/sharing-changes/{change.GetProperty("id").GetString()}/decision", new { approve = true });
        var (approved, done) = await Post(operatorClient, $"/api/sharing-changes/{change.GetProperty("id").GetString()}/decision", new { approve = true });
        Assert.Equal(HttpStatusCode.BadRequest, missingBasis);
        Assert.Equal(HttpStatusCode.Created, proposed);
        Assert.Equal(HttpStatusCode.Forbidden, notOperator);
        Assert.True(approved == HttpStatusCode.OK, done.ToString());
        var history = Host.Store.CatalogueHistory("mca.marriage");
        Assert.Equal(GovShare.Lake.Catalogue.SharingClass.NotShared, history[^1].Entry.Sharing.Class);
        Assert.Contains(history, r => r.Entry.Sharing.Class == GovShare.Lake.Catalogue.SharingClass.Conditional);

        // urban-ops's approval from mca was for a conditional entry: it does not open a not-shared one.
        await WaitForClass("urban-ops");
        using var urbanOps = Host.As("urban-ops");
        Assert.Equal(HttpStatusCode.Forbidden, (await Sql(urbanOps, "SELECT count(*) FROM src.\"mca.marriage\"")).Status);

        // A grant the provider made citing a "legal basis" is still the provider's, not the operator's.
        Assert.Equal(HttpStatusCode.Forbidden, (await Sql(providerGranted, "SELECT count(*) FROM src.\"mca.marriage\"")).Status);

        var (id, _, request) = await Request(consumer, new { entryId = "mca.marriage", purpose = "重大案件协查" });
        Assert.Equal("operator", request.GetProperty("decider").GetString());
        var (providerTries, _) = await Post(mca, $"/api/access-requests/{id}/decision", new { approve = true });
        var (withoutBasis, _) = await Post(operatorClient, $"/api/access-requests/{id}/decision", new { approve = true });
        var (granted, _) = await Post(operatorClient, $"/api/access-requests/{id}/decision", new { approve = true, legalBasis = "《刑事诉讼法》第五十四条" });
        Assert.Equal(HttpStatusCode.Forbidden, providerTries);
        Assert.Equal(HttpStatusCode.BadRequest, withoutBasis);
        Assert.Equal(HttpStatusCode.OK, granted);
        await AcceptAgreement(consumer, "mca.marriage");
        Assert.Equal(HttpStatusCode.OK, (await Sql(consumer, "SELECT count(*) FROM src.\"mca.marriage\"")).Status);
    }

    // The engine reads the catalogue on its refresh; the change shows within a refresh interval.
    private async Task WaitForClass(string agency)
    {
        var policy = (GovShare.Lake.QueryApi.Access.AccessPolicy)Host.Services.GetService(typeof(GovShare.Lake.QueryApi.Access.AccessPolicy))!;
        for (var i = 0; i < 50 && policy.For(agency).Dataset("mca.marriage") is not null; i++)
        {
            await Task.Delay(100);
        }
    }

}
