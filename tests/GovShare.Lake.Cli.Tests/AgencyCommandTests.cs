using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Tests;

/// <summary>`govshare agency add|list|rotate-key` in-process on a lake folder of their own.</summary>
public sealed class AgencyCommandTests : IDisposable
{
    private readonly string _lake = Path.Combine(Path.GetTempPath(), "govshare-cli-agency-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AgencyAdd_Should_PrintAKeyThatAuthenticates_AndSayItWillNotBeShownAgain()
    {
        var result = await AddAsync("hrss", "市人社局", "consumer", "--name-en", "Human Resources and Social Security");

        Assert.Equal(0, result.ExitCode);
        var key = Assert.Single(result.OutLines).Trim();
        Assert.Contains("will not be shown again", result.Error, StringComparison.Ordinal);
        var agency = ApiKeys.Authenticate(DuckDbPlatformStore.Open(_lake), key);
        Assert.NotNull(agency);
        Assert.Equal("hrss", agency.Code);
        Assert.Equal(AgencyKind.Consumer, agency.Kind);
        Assert.Equal("市人社局", agency.Name.Zh);
        Assert.Equal("Human Resources and Social Security", agency.Name.En);
    }

    [Fact]
    public async Task AgencyAdd_Should_UpdateTheAgency_AndRevokeItsEarlierKey_When_TheCodeIsRegistered()
    {
        var first = (await AddAsync("psb", "市公安局", "provider", "--name-en", "Public Security Bureau")).OutLines[0].Trim();

        var second = await AddAsync("psb", "市公安局（新）", "consumer");

        Assert.Equal(0, second.ExitCode);
        var store = DuckDbPlatformStore.Open(_lake);
        Assert.Null(ApiKeys.Authenticate(store, first));
        var agency = ApiKeys.Authenticate(store, second.OutLines[0].Trim());
        Assert.NotNull(agency);
        Assert.Equal(AgencyKind.Consumer, agency.Kind);
        Assert.Equal("市公安局（新）", agency.Name.Zh);
        Assert.Equal("Public Security Bureau", agency.Name.En);
    }

    [Fact]
    public async Task AgencyRotateKey_Should_RevokeTheOldKey_When_TheAgencyExists()
    {
        var old = (await AddAsync("tax", "市税务局", "provider")).OutLines[0].Trim();

        var result = await CliRunner.RunInProcessAsync(["agency", "rotate-key", "tax", "--lake", _lake]);

        Assert.Equal(0, result.ExitCode);
        var fresh = Assert.Single(result.OutLines).Trim();
        Assert.NotEqual(old, fresh);
        Assert.Contains("will not be shown again", result.Error, StringComparison.Ordinal);
        var store = DuckDbPlatformStore.Open(_lake);
        Assert.Null(ApiKeys.Authenticate(store, old));
        Assert.Equal("tax", ApiKeys.Authenticate(store, fresh)?.Code);
    }

    [Fact]
    public async Task AgencyRotateKey_Should_Exit1_WithAClearMessage_When_TheAgencyIsUnknown()
    {
        var result = await CliRunner.RunInProcessAsync(["agency", "rotate-key", "nobody", "--lake", _lake]);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.StartsWith("govshare agency rotate-key: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("no agency 'nobody' is registered", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgencyList_Should_ShowKeyIdsAndRevokedCounts_ButNeverAKeyOrHash()
    {
        var psbKey = (await AddAsync("psb", "市公安局", "provider", "--name-en", "Public Security Bureau")).OutLines[0].Trim();
        await CliRunner.RunInProcessAsync(["agency", "rotate-key", "psb", "--lake", _lake]);
        var rotated = (await CliRunner.RunInProcessAsync(["agency", "rotate-key", "psb", "--lake", _lake])).OutLines[0].Trim();
        var hrssKey = (await AddAsync("hrss", "市人社局", "consumer")).OutLines[0].Trim();

        var result = await CliRunner.RunInProcessAsync(["agency", "list", "--lake", _lake]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("code\tkind\tname_zh\tname_en\tcreated\tkey_id\trevoked_keys", result.OutLines[0]);
        var psb = result.OutLines.Single(l => l.StartsWith("psb\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal(["psb", "provider", "市公安局", "Public Security Bureau"], psb[..4]);
        Assert.Equal(ApiKeys.KeyId(rotated), psb[5]);
        Assert.Equal("2", psb[6]);
        var hrss = result.OutLines.Single(l => l.StartsWith("hrss\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal(["hrss", "consumer", "市人社局", "-"], hrss[..4]);
        Assert.Equal("0", hrss[6]);
        var store = DuckDbPlatformStore.Open(_lake);
        foreach (var secret in new[] { psbKey, rotated, hrssKey }.Concat(store.ListAgencies().SelectMany(a => store.ListApiKeys(a.Code)).Select(k => k.KeyHash)))
        {
            Assert.DoesNotContain(secret, result.Out + result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AgencyList_Should_ShowADash_When_EveryKeyIsRevoked()
    {
        var store = DuckDbPlatformStore.Open(_lake);
        store.SaveAgency(new Agency("ops", new LocalizedName("运维中心", "Operations"), AgencyKind.Operator, DateTimeOffset.UtcNow));

        var result = await CliRunner.RunInProcessAsync(["agency", "list", "--lake", _lake]);

        var ops = result.OutLines.Single(l => l.StartsWith("ops\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal("-", ops[5]);
    }

    [Theory]
    [InlineData("P")]
    [InlineData("x")]
    [InlineData("psb/../x")]
    [InlineData("公安")]
    [InlineData("a-very-long-agency-code-of-33-chars")]
    public async Task AgencyAdd_Should_Exit2_AndStoreNothing_When_TheCodeIsInvalid(string code)
    {
        var result = await AddAsync(code, "某局", "provider");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a valid agency code", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
        Assert.False(Directory.Exists(_lake));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("psb")]
    [InlineData("city.hrss-2_b")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public async Task AgencyAdd_Should_AcceptTheCode_When_ItIsLowercaseLettersDigitsDotsDashesOrUnderscores(string code)
    {
        var result = await AddAsync(code, "某局", "provider");

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task AgencyAdd_Should_Exit2_When_TheKindIsUnknown()
    {
        var result = await AddAsync("psb", "市公安局", "admin");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task AgencyRotateKey_Should_Exit2_When_TheCodeIsInvalid()
    {
        var result = await CliRunner.RunInProcessAsync(["agency", "rotate-key", "PSB", "--lake", _lake]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a valid agency code", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("add", "--name-zh")]
    [InlineData("list", "--lake")]
    [InlineData("rotate-key", "CODE")]
    public async Task AgencyHelp_Should_DescribeEachSubcommand(string subcommand, string mentioned)
    {
        var result = await CliRunner.RunInProcessAsync(["agency", subcommand, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(mentioned, result.Out, StringComparison.Ordinal);
    }

    private Task<CliResult> AddAsync(string code, string nameZh, string kind, params string[] more) =>
        CliRunner.RunInProcessAsync(["agency", "add", "--code", code, "--name-zh", nameZh, "--kind", kind, "--lake", _lake, .. more]);

    public void Dispose()
    {
        if (Directory.Exists(_lake))
        {
            Directory.Delete(_lake, recursive: true);
        }
    }
}
