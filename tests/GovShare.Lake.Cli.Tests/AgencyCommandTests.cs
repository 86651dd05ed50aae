using GovShare.Lake.Audit;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Evidence;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Cli.Tests;

/// <summary>`govshare agency add|list|rotate-key|seal-key` in-process on a lake folder of their own.</summary>
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
        Assert.Equal("code\tkind\tname_zh\tname_en\tcreated\tkey_id\trevoked_keys\tseal_key", result.OutLines[0]);
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
    [InlineData("seal-key", "--public-key")]
    public async Task AgencyHelp_Should_DescribeEachSubcommand(string subcommand, string mentioned)
    {
        var result = await CliRunner.RunInProcessAsync(["agency", subcommand, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(mentioned, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgencySealKey_Should_RegisterThePublicKey_PrintItsId_ListIt_AndAuditIt()
    {
        await AddAsync("amr", "市市场监管局", "provider");
        await AddAsync("psb", "市公安局", "provider");
        var issuer = Sm.GenerateKeyPair();
        var pem = WriteFile("amr.pub.pem", Sm.ToPem(issuer.Public));

        var result = await CliRunner.RunInProcessAsync(["agency", "seal-key", "amr", "--public-key", pem, "--lake", _lake]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Sm.KeyId(issuer.Public), Assert.Single(result.OutLines).Trim());
        Assert.StartsWith("Registered the seal key of amr", result.Error, StringComparison.Ordinal);
        Assert.Equal(Sm.KeyId(issuer.Public), new IssuerKeys(new LakeLayout(_lake)).Find("amr")?.KeyId);
        Assert.True(File.Exists(Path.Combine(_lake, "keys", "issuers", "amr.pem")));
        var list = await CliRunner.RunInProcessAsync(["agency", "list", "--lake", _lake]);
        Assert.Equal(Sm.KeyId(issuer.Public), list.OutLines.Single(l => l.StartsWith("amr\t", StringComparison.Ordinal)).Split('\t')[7]);
        Assert.Equal("-", list.OutLines.Single(l => l.StartsWith("psb\t", StringComparison.Ordinal)).Split('\t')[7]);
        var audited = AuditLog.Read(_lake).Select(e => e.Entry!.Event).Single(e => e.Action == "agency.seal-key");
        Assert.Equal(["agency/amr", "seal-key/" + Sm.KeyId(issuer.Public)], audited.Resources);
    }

    [Fact]
    public async Task AgencySealKey_Should_ReplaceTheEarlierKey_When_RunAgain()
    {
        await AddAsync("amr", "市市场监管局", "provider");
        await CliRunner.RunInProcessAsync(["agency", "seal-key", "amr", "--public-key", WriteFile("old.pem", Sm.ToPem(Sm.GenerateKeyPair().Public)), "--lake", _lake]);
        var replacement = Sm.GenerateKeyPair();

        var result = await CliRunner.RunInProcessAsync(["agency", "seal-key", "amr", "--public-key", WriteFile("new.pem", Sm.ToPem(replacement.Public)), "--lake", _lake]);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Replaced the seal key of amr", result.Error, StringComparison.Ordinal);
        Assert.Equal(Sm.KeyId(replacement.Public), new IssuerKeys(new LakeLayout(_lake)).Find("amr")?.KeyId);
    }

    [Fact]
    public async Task AgencySealKey_Should_Exit1_AndRegisterNothing_When_TheFileIsAPrivateKey()
    {
        await AddAsync("amr", "市市场监管局", "provider");
        var pem = WriteFile("issuer.pem", Sm.ToPem(Sm.GenerateKeyPair().Private));

        var result = await CliRunner.RunInProcessAsync(["agency", "seal-key", "amr", "--public-key", pem, "--lake", _lake]);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.StartsWith("govshare agency seal-key: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("private key", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_lake, "keys", "issuers", "amr.pem")));
    }

    [Fact]
    public async Task AgencySealKey_Should_Exit1_When_TheAgencyIsUnknown()
    {
        var pem = WriteFile("k.pem", Sm.ToPem(Sm.GenerateKeyPair().Public));

        var result = await CliRunner.RunInProcessAsync(["agency", "seal-key", "nobody", "--public-key", pem, "--lake", _lake]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no agency 'nobody' is registered", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_lake, "keys", "issuers")));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("invalid-code")]
    [InlineData("no-option")]
    public async Task AgencySealKey_Should_Exit2_When_TheCommandLineIsWrong(string mistake)
    {
        var pem = WriteFile("k.pem", Sm.ToPem(Sm.GenerateKeyPair().Public));
        string[] args = mistake switch
        {
            "missing" => ["agency", "seal-key", "amr", "--public-key", Path.Combine(_lake, "nowhere.pem"), "--lake", _lake],
            "invalid-code" => ["agency", "seal-key", "../amr", "--public-key", pem, "--lake", _lake],
            _ => ["agency", "seal-key", "amr", "--lake", _lake],
        };

        var result = await CliRunner.RunInProcessAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_lake + "-files", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private Task<CliResult> AddAsync(string code, string nameZh, string kind, params string[] more) =>
        CliRunner.RunInProcessAsync(["agency", "add", "--code", code, "--name-zh", nameZh, "--kind", kind, "--lake", _lake, .. more]);

    public void Dispose()
    {
        foreach (var folder in new[] { _lake, _lake + "-files" }.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
