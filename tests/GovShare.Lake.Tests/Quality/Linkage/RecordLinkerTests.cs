using System.Globalization;
using GovShare.Lake.Quality.Linkage;
using Xunit.Abstractions;

namespace GovShare.Lake.Tests.Quality.Linkage;

/// <summary>The Fellegi-Sunter linkage on generated person files whose true links are known: accuracy on a seed the
/// engine was never tuned on, EM's estimates, blocking, one-to-one assignment and explanations.</summary>
public sealed class RecordLinkerTests(ITestOutputHelper output)
{
    /// <summary>The seed the defaults were tuned on; the accuracy test uses others.</summary>
    private const int TuningSeed = 8;

    [Theory]
    [InlineData(20261123)]
    [InlineData(77)]
    public void Link_Should_ReachF1OfAtLeast099_When_LinkingFilesItWasNotTunedOn(int seed)
    {
        Assert.NotEqual(TuningSeed, seed);
        var files = LinkageSample.Generate(4000, seed);

        var result = Link(files);

        var (precision, recall, f1) = LinkageSample.Score(result.Pairs.Select(p => (p.LeftId, p.RightId)), files.Links);
        output.WriteLine($"seed {seed}: {files.Left.Count} left, {files.Right.Count} right, {files.Links.Count} true links; " +
            $"{result.Compared} compared, {result.Pairs.Count} linked; precision {precision:F4}, recall {recall:F4}, F1 {f1:F4}; " +
            $"EM {result.Model.Iterations} iterations, λ {result.Model.Lambda:F4}, threshold {result.Threshold:F2}");
        Assert.True(f1 >= 0.99, $"F1 {f1:F4} (precision {precision:F4}, recall {recall:F4})");
    }

    [Fact]
    public void Link_Should_EstimateAgreementAsLikelierAmongMatches_When_EmConverges()
    {
        var files = LinkageSample.Generate(3000, TuningSeed);

        var model = Link(files).Model;

        Assert.True(model.Converged, $"not converged after {model.Iterations} iterations");
        foreach (var field in model.Fields)
        {
            output.WriteLine($"{field.Field.Name} {field.Field.Type}: m {Shares(field.M)}, u {Shares(field.U)}");
            Assert.True(field.M[(int)ComparisonLevel.Exact] > field.U[(int)ComparisonLevel.Exact], field.Field.Name);
            Assert.True(field.Weight(ComparisonLevel.Exact) > 0, field.Field.Name);
            Assert.True(field.Weight(ComparisonLevel.Different) < 0, field.Field.Name);
        }

        // λ is the share of all left × right pairs that match: within a tenth of the truth.
        var truth = files.Links.Count / ((double)files.Left.Count * files.Right.Count);
        output.WriteLine($"λ {model.Lambda:E3}, true share {truth:E3}, {model.Iterations} iterations");
        Assert.InRange(model.Lambda, truth * 0.9, truth * 1.1);

        // A name agreeing weighs more than a sex agreeing (half of everyone shares a sex), a birth date more than a name
        // (many people are called 张伟 or 王芳, fewer share a birthday).
        var name = model.Fields[0].Weight(ComparisonLevel.Exact);
        Assert.True(name > model.Fields[1].Weight(ComparisonLevel.Exact));
        Assert.True(model.Fields[2].Weight(ComparisonLevel.Exact) > name);
    }

    private static string Shares(IReadOnlyList<double> values) => string.Join('/', values.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)));

    [Fact]
    public void Link_Should_UseEachRecordOnce_When_OneToOne()
    {
        var files = LinkageSample.Generate(1500, TuningSeed);

        var pairs = Link(files).Pairs;

        Assert.Equal(pairs.Count, pairs.Select(p => p.LeftId).Distinct().Count());
        Assert.Equal(pairs.Count, pairs.Select(p => p.RightId).Distinct().Count());
        Assert.True(pairs.Zip(pairs.Skip(1)).All(p => p.First.Weight >= p.Second.Weight), "heaviest first");
    }

    [Fact]
    public void Link_Should_SkipAndReportABlock_When_ItExceedsTheCap()
    {
        // 200 × 200 records sharing one birth date (a default written as 1900-01-01) and otherwise unrelated codes.
        var fields = new List<LinkageField> { new("出生日期", FieldType.Date), new("编码", FieldType.Code) };
        var left = new LinkageInput("left", fields);
        var right = new LinkageInput("right", fields);
        for (var i = 0; i < 200; i++)
        {
            left.TryAdd("L" + i, ["1900-01-01", "A" + i.ToString("D5", CultureInfo.InvariantCulture)], out _);
            right.TryAdd("R" + i, ["1900-01-01", "A" + (i < 20 ? i : 1000 + i).ToString("D5", CultureInfo.InvariantCulture)], out _);
        }

        var result = RecordLinker.Link(left, right, new LinkageOptions { MaxBlockPairs = 1000 });

        var byCode = result.Blocking.Single(b => b.Rule == "编码");
        var byDate = result.Blocking.Single(b => b.Rule == "出生日期");
        Assert.Equal(20, byCode.Pairs);
        Assert.Equal((0, 1, 40_000L), (byDate.Pairs, byDate.BlocksOverCap, byDate.PairsOverCap));
        Assert.Equal(20, result.Compared);
    }

    [Fact]
    public void Link_Should_CompareAPairOnce_When_SeveralRulesBlockIt()
    {
        var fields = new List<LinkageField> { new("姓名", FieldType.Name), new("出生日期", FieldType.Date), new("电话", FieldType.Code) };
        var left = new LinkageInput("left", fields);
        var right = new LinkageInput("right", fields);
        left.TryAdd("a", ["张伟", "1985-03-12", "13800000001"], out _);
        left.TryAdd("b", ["李娜", "1990-07-01", "13800000002"], out _);
        right.TryAdd("x", ["张伟", "19850312", "13800000001"], out _); // blocked by phone, date, name + year and name
        right.TryAdd("y", ["李娜", "19910701", "13900000002"], out _); // by name only

        var result = RecordLinker.Link(left, right);

        Assert.Equal(2, result.Compared);
        Assert.Equal(["电话", "出生日期", "姓名+出生日期:year", "姓名"], result.Blocking.Select(b => b.Rule));
        Assert.Equal([1L, 0, 0, 1], result.Blocking.Select(b => b.Pairs));
    }

    [Fact]
    public void Explain_Should_SayEachFieldsVerdictAndWeight_When_AskedInEnglishOrChinese()
    {
        var (left, right) = Inputs(LinkageSample.Generate(1500, TuningSeed));
        var model = RecordLinker.Link(left, right).Model;

        // A register record and a legacy one of the same person: birth date with two digits swapped, another
        // address, no phone.
        var register = new LinkageInput("register", left.Fields);
        var legacy = new LinkageInput("legacy", left.Fields);
        register.TryAdd("1", ["张梅静", "女", "1985-03-12", "13800138000", "河南省郑州市金水区花园路12号"], out _);
        legacy.TryAdd("old", ["张梅静", "女", "19850321", "", "新疆维吾尔自治区乌鲁木齐市天山区解放北路1号"], out _);

        var pair = RecordLinker.Describe(register, legacy, 0, 0, model);
        var english = LinkageExplanation.Explain(pair, english: true);
        var chinese = LinkageExplanation.Explain(pair, english: false);
        output.WriteLine(english);
        output.WriteLine(chinese);

        Assert.Matches(@"^姓名 agrees \(\+\d+\.\d\), 出生日期 close: digits transposed \(\+\d+\.\d\), 性别 agrees \(\+\d+\.\d\), 住址 differs \(−\d+\.\d\), 联系电话 missing \(0\)$", english);
        Assert.Matches(@"^姓名 一致（\+\d+\.\d）；出生日期 相近：相邻数字颠倒（\+\d+\.\d）；性别 一致（\+\d+\.\d）；住址 不同（−\d+\.\d）；联系电话 缺失（0）$", chinese);
        Assert.Matches(@"^姓名 \+\d+\.\d; 出生日期 \+\d+\.\d; 性别 \+\d+\.\d; 住址 -\d+\.\d$", LinkageExplanation.TopFields(pair));
        Assert.Equal(pair.Contributions.Sum(c => c.Weight), pair.Weight, 9);
        Assert.True(pair.Probability > 0.5, "the same person");
    }

    [Fact]
    public void Link_Should_Refuse_When_TheSidesHaveDifferentFields()
    {
        var left = new LinkageInput("a.csv", [new LinkageField("姓名", FieldType.Name)]);
        var right = new LinkageInput("b.csv", [new LinkageField("姓名", FieldType.Text)]);

        var error = Assert.Throws<LakeException>(() => RecordLinker.Link(left, right));

        Assert.Contains("same fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAdd_Should_NameTheEarlierRecord_When_AnIdRepeats()
    {
        var side = new LinkageInput("a.csv", [new LinkageField("姓名", FieldType.Name)]);
        side.TryAdd("1", ["张伟"], out _);
        side.TryAdd("2", ["王芳"], out _);

        Assert.False(side.TryAdd("1", ["李娜"], out var existing));
        Assert.Equal(0, existing);
        Assert.Equal(2, side.Count);
    }

    /// <summary>The files as the CLI reads them: types inferred from both sides' values.</summary>
    internal static (LinkageInput Left, LinkageInput Right) Inputs(LinkageSample.Files files) => LinkageSample.Inputs(files);

    private static LinkageResult Link(LinkageSample.Files files)
    {
        var (left, right) = Inputs(files);
        return RecordLinker.Link(left, right);
    }
}
