using System.Text;
using GovShare.Lake.Quality.Linkage;
using GovShare.Lake.Text;

namespace GovShare.Lake.Cli.Tests;

/// <summary><c>govshare quality link</c> through the real command line, on generated files whose links are known.</summary>
public sealed class QualityLinkCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("govshare-link-cli-").FullName;

    [Fact]
    public async Task Link_Should_FindTheKnownLinks_When_TheLegacyFileIsGbkWithOtherColumnNames()
    {
        // A seed the linkage was never tuned on; the register in UTF-8 with a BOM, the legacy file in GBK.
        var files = LinkageSample.Generate(3000, 20261124);
        var (left, right) = Write(files, TextEncodings.Gb18030);
        var output = Path.Combine(_folder, "pairs.csv");

        var result = await Link(left, right, "--out", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Out);
        var lines = await File.ReadAllLinesAsync(output, Encoding.UTF8);
        Assert.Equal([0xEF, 0xBB, 0xBF], (await File.ReadAllBytesAsync(output))[..3]);
        Assert.Equal("left_id,right_id,match_weight,probability,top_fields", lines[0]);
        var pairs = lines.Skip(1).Select(line => line.Split(',')).ToList();
        var (precision, recall, f1) = LinkageSample.Score(pairs.Select(p => (p[0], p[1])), files.Links);
        Assert.True(f1 >= 0.99, $"precision {precision:F4}, recall {recall:F4}, F1 {f1:F4}");
        Assert.All(pairs, p => Assert.Matches(@"^-?\d+\.\d\d$", p[2]));
        Assert.All(pairs, p => Assert.InRange(double.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1));
        Assert.Matches(@"^(姓名|性别|出生日期|联系电话|住址) [+-]\d+\.\d(; (姓名|性别|出生日期|联系电话|住址) [+-]\d+\.\d)*$", pairs[0][4]);

        // The summary says what was read, compared, estimated and linked.
        Assert.Contains("rows of right.csv (CSV, gb18030", result.Error, StringComparison.Ordinal);
        Assert.Contains("fields: 姓名=xm (name, recognised), 性别=xb (name, recognised), 出生日期=csrq (date, recognised), 联系电话=lxdh (code, recognised), 住址=dz (text, recognised).", result.Error, StringComparison.Ordinal);
        Assert.Matches(@"compared [\d,]+ pairs, by blocking rule: 联系电话 [\d,]+; 出生日期 [\d,]+;", result.Error);
        Assert.Matches(@"EM: \d+ iteration\(s\), converged", result.Error);
        Assert.Matches(@"  姓名: m \(same person\) agrees 0\.\d+, close", result.Error);
        Assert.Contains($"linked {pairs.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} pairs at match weight", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_Should_WriteToStandardOutputWithExplanations_When_NoOutFileIsGiven()
    {
        var files = LinkageSample.Generate(800, 31);
        var (left, right) = Write(files, new UTF8Encoding(false));

        var chinese = await Link(left, right, "--explain");
        var english = await Link(left, right, "--explain", "--english", "--types", "name,auto,date,code,text");
        var strict = await Link(left, right, "--threshold", "40", "--block", "出生日期", "--block", "联系电话");

        Assert.Equal(0, chinese.ExitCode);
        Assert.Equal("left_id,right_id,match_weight,probability,top_fields,explanation", chinese.OutLines[0]);
        Assert.Contains("一致（+", chinese.Out, StringComparison.Ordinal);
        Assert.Contains(" agrees (+", english.Out, StringComparison.Ordinal);
        Assert.Contains("姓名=xm (name)", english.Error, StringComparison.Ordinal);
        Assert.Contains("性别=xb (name, recognised)", english.Error, StringComparison.Ordinal);
        Assert.Equal(0, strict.ExitCode);
        Assert.InRange(strict.OutLines.Length, 2, chinese.OutLines.Length - 1);
        Assert.Contains("at match weight +40.0 or more (--threshold)", strict.Error, StringComparison.Ordinal);
        Assert.Matches(@"by blocking rule: 出生日期 [\d,]+; 联系电话 [\d,]+\.", strict.Error);
    }

    [Fact]
    public async Task Link_Should_NameTheFileAndListItsColumns_When_AFieldColumnIsMissing()
    {
        var (left, right) = Write(LinkageSample.Generate(50, 5), new UTF8Encoding(false));

        var result = await CliRunner.RunInProcessAsync(["quality", "link", "--left", left, "--right", right, "--left-id", "编号", "--right-id", "record_no",
            "--fields", "姓名=xm,出生日期"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("right.csv (--right) has no column '出生日期' (named in --fields); its columns are: record_no, xm, xb, csrq, lxdh, dz.",
            result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_Should_NameBothLines_When_AnIdRepeats()
    {
        var left = Path.Combine(_folder, "a.csv");
        var right = Path.Combine(_folder, "b.csv");
        await File.WriteAllTextAsync(left, "id,姓名,出生日期\n1,张伟,1985-03-12\n2,王芳,1990-01-01\n1,李娜,1979-05-05\n");
        await File.WriteAllTextAsync(right, "id,姓名,出生日期\n9,张伟,19850312\n");

        var result = await CliRunner.RunInProcessAsync(["quality", "link", "--left", left, "--right", right, "--left-id", "id", "--right-id", "id", "--fields", "姓名,出生日期"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("a.csv, line 4: the id '1' in column 'id' is already on line 2; ids must be unique.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_Should_NameTheLine_When_ARowCannotBeRead()
    {
        var left = Path.Combine(_folder, "a.csv");
        var right = Path.Combine(_folder, "b.csv");
        await File.WriteAllTextAsync(left, "id,姓名,出生日期\n1,张伟,1985-03-12\n2,王芳\n");
        await File.WriteAllTextAsync(right, "id,姓名,出生日期\n9,张伟,19850312\n");

        var result = await CliRunner.RunInProcessAsync(["quality", "link", "--left", left, "--right", right, "--left-id", "id", "--right-id", "id", "--fields", "姓名,出生日期"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("a.csv, line 3: the row has 2 field(s), the header has 3", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_Should_RefuseWithUsage_When_TypesDoNotMatchTheFields()
    {
        var (left, right) = Write(LinkageSample.Generate(50, 5), new UTF8Encoding(false));

        var count = await Link(left, right, "--types", "name,date");
        var unknown = await Link(left, right, "--types", "name,auto,date,phone,text");
        var badField = await CliRunner.RunInProcessAsync(["quality", "link", "--left", left, "--right", right, "--left-id", "编号", "--right-id", "record_no", "--fields", "姓名=xm=x"]);

        var badBlock = await Link(left, right, "--block", "姓名:initial+xm:year");

        Assert.Equal((2, 2, 2, 2), (count.ExitCode, unknown.ExitCode, badField.ExitCode, badBlock.ExitCode));
        Assert.Contains("--types gives 2 type(s) for 5 field(s)", count.Error, StringComparison.Ordinal);
        Assert.Contains("'phone' is not a type: use name, date, code, text or auto.", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("'姓名=xm=x' is not a column", badField.Error, StringComparison.Ordinal);
        Assert.Contains("--block 姓名:initial+xm:year: 'xm' is not one of --fields (name a field by its column in A.csv).", badBlock.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Should_ExplainTheOptionsAndTheWeights()
    {
        var group = await CliRunner.RunInProcessAsync(["quality", "--help"]);
        var help = await CliRunner.RunInProcessAsync(["quality", "link", "--help"]);

        Assert.Equal((0, 0), (group.ExitCode, help.ExitCode));
        Assert.Contains("link", group.Out, StringComparison.Ordinal);
        foreach (var option in new[] { "--left", "--right", "--left-id", "--right-id", "--fields", "--types", "--threshold", "--out", "--block", "--max-block-pairs", "--explain" })
        {
            Assert.Contains(option, help.Out, StringComparison.Ordinal);
        }

        Assert.Contains("log2(m/u)", help.Out, StringComparison.Ordinal);
    }

    private (string Left, string Right) Write(LinkageSample.Files files, Encoding rightEncoding)
    {
        var left = Path.Combine(_folder, "left.csv");
        var right = Path.Combine(_folder, "right.csv");
        LinkageSample.Write(left, LinkageSample.LeftColumns, files.Left, new UTF8Encoding(true));
        LinkageSample.Write(right, LinkageSample.RightColumns, files.Right, rightEncoding);
        return (left, right);
    }

    private static Task<CliResult> Link(string left, string right, params string[] more) =>
        CliRunner.RunInProcessAsync(["quality", "link", "--left", left, "--right", right, "--left-id", "编号", "--right-id", "record_no",
            "--fields", LinkageSample.FieldMapping, .. more]);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
