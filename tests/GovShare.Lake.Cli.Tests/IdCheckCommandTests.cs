using System.Text;
using GovShare.Lake.Text;

namespace GovShare.Lake.Cli.Tests;

public sealed class IdCheckCommandTests
{
    [Fact]
    public async Task IdCheck_Should_PrintOneTabSeparatedVerdictPerValue_AndExit0_When_AllAreValid()
    {
        var result = await CliRunner.RunInProcessAsync(["id", "check", "91350100M000100Y43", "D2143569X", "610104620927690"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [
                "91350100M000100Y43\tuscc\tvalid\t\t91350100M000100Y43",
                "D2143569X\torg\tvalid\t\tD2143569-X",
                "610104620927690\tcitizen\tvalid\t\t610104196209276908",
            ],
            result.OutLines);
    }

    [Fact]
    public async Task IdCheck_Should_Exit1AndGiveTheReason_When_AnyValueIsInvalid()
    {
        var result = await CliRunner.RunInProcessAsync(["id", "check", "110108000000016", "110108000000017"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("110108000000017\tlicence\tinvalid\tbad check character at position 15: expected 6, found 7\t", result.OutLines[1]);
    }

    [Fact]
    public async Task IdCheck_Should_ReadStandardInput_When_NoValueIsGiven_SkippingBlankLines()
    {
        var input = Encoding.UTF8.GetBytes("610104620927690\r\n\r\n91110000600037341L\n   \nnot-an-id\n");

        var result = await CliRunner.RunInProcessAsync(["id", "check"], input);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, result.OutLines.Length);
        Assert.Equal("not-an-id\tunknown\tinvalid", string.Join('\t', result.OutLines[2].Split('\t')[..3]));
        Assert.Contains("id check: 3 values, 2 valid, 1 invalid", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdCheck_Should_ReadGbkInput_WithFullWidthDigits()
    {
        var input = TextEncodings.Gb18030.GetBytes("６１０１０４６２０９２７６９０\n");

        var result = await CliRunner.RunInProcessAsync(["id", "check"], input);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("６１０１０４６２０９２７６９０\tcitizen\tvalid\t\t610104196209276908", result.OutLines.Single());
    }

    [Theory]
    [InlineData("LICENSE")]
    [InlineData("Licence")]
    public async Task IdCheck_Should_AcceptKindNamesInAnyCase(string kind)
    {
        var result = await CliRunner.RunInProcessAsync(["id", "check", "--kind", kind, "110108000000016"]);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task IdCheck_Should_Exit1WithAHint_When_InputStopsBeingUtf8()
    {
        var input = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("110108000000016\n", 5000)))
            .Concat(TextEncodings.Gb18030.GetBytes("６１０１０４６２０９２７６９０\n")).ToArray();

        var result = await CliRunner.RunInProcessAsync(["id", "check"], input);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--encoding gbk", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdCheck_Should_CheckAsTheForcedKind()
    {
        var result = await CliRunner.RunInProcessAsync(["id", "check", "--kind", "citizen", "110108000000016"]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("110108000000016\tcitizen\tinvalid\timpossible date", result.OutLines.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdCheck_Should_KeepColumnsAligned_When_AValueContainsATab()
    {
        var result = await CliRunner.RunInProcessAsync(["id", "check"], Encoding.UTF8.GetBytes("D2143569\tX\n"));

        Assert.Equal(5, result.OutLines.Single().Split('\t').Length);
    }

    [Theory]
    [InlineData("id", "check", "--kind", "passport", "x")]
    [InlineData("id", "check", "--no-such-option")]
    [InlineData("id")]
    [InlineData("no-such-command")]
    [InlineData("serve", "--port", "70000")]
    [InlineData("serve", "--port", "abc")]
    [InlineData("serve", "--demo-persons", "-1")]
    [InlineData("ingest", "file.csv")]
    [InlineData("catalogue", "validate")]
    [InlineData("sample", "generate")]
    public async Task Cli_Should_Exit2WithAMessage_When_TheCommandLineIsWrong(params string[] args)
    {
        var result = await CliRunner.RunInProcessAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("govshare", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help' for usage", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("serve", "--help")]
    [InlineData("id", "--help")]
    [InlineData("id", "check", "--help")]
    [InlineData("ingest", "--help")]
    [InlineData("catalogue", "--help")]
    [InlineData("catalogue", "load", "--help")]
    [InlineData("inbox", "process", "--help")]
    [InlineData("sample", "generate", "--help")]
    public async Task Cli_Should_PrintUsage_When_AskedForHelp(params string[] args)
    {
        var result = await CliRunner.RunInProcessAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdCheck_Should_AnswerBeforeTheInputEnds_ThroughARealProcess()
    {
        // Streaming, not loading: verdicts for the first values arrive while standard input is still open.
        using var process = CliRunner.Start(["id", "check"]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = Encoding.ASCII.GetBytes("110108000000016\n");
        var writer = Task.Run(async () =>
        {
            // More than one output buffer's worth, then keep standard input open until told.
            for (var i = 0; i < 20_000; i++)
            {
                await process.StandardInput.BaseStream.WriteAsync(line, timeout.Token);
            }

            await process.StandardInput.BaseStream.FlushAsync(timeout.Token);
        });

        var first = await process.StandardOutput.ReadLineAsync(timeout.Token);
        // Standard input is still open, so the process cannot have finished reading it.
        Assert.False(process.HasExited, "the first verdict came only after the input ended");
        Assert.Equal("110108000000016\tlicence\tvalid\t\t110108000000016", first);

        var rest = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await writer;
        process.StandardInput.Close();
        Assert.Equal(19_999, (await rest).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task IdCheck_Should_StreamAHundredThousandLines_ThroughARealProcess()
    {
        // Every tenth value has a wrong check character: the exit code and the counts must say so.
        var lines = new StringBuilder();
        var expectedInvalid = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var number = "11010819900101" + (i % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
            var check = Lake.Identifiers.CitizenIdNumber.ComputeCheckCharacter(number);
            if (i % 10 == 0)
            {
                check = check == '0' ? '1' : '0';
                expectedInvalid++;
            }

            lines.Append(number).Append(check).Append('\n');
        }

        var result = await CliRunner.RunProcessAsync(["id", "check"], Encoding.UTF8.GetBytes(lines.ToString()));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(100_000, result.OutLines.Length);
        Assert.Equal(expectedInvalid, result.OutLines.Count(line => line.Contains("\tinvalid\t", StringComparison.Ordinal)));
        Assert.Contains($"100,000 values, 90,000 valid, {expectedInvalid:N0} invalid", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdCheck_Should_Exit0_ThroughARealProcess_When_EveryValueIsValid()
    {
        var result = await CliRunner.RunProcessAsync(["id", "check", "110108000000016"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("110108000000016\tlicence\tvalid\t\t110108000000016", result.OutLines.Single());
    }
}
