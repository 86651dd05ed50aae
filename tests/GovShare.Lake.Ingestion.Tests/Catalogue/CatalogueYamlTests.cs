using GovShare.Lake.Catalogue;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Catalogue;

namespace GovShare.Lake.Ingestion.Tests.Catalogue;

/// <summary>Catalogue YAML is validated on load, each problem located by file, line, column and field path.</summary>
public sealed class CatalogueYamlTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"govshare-catalogue-{Guid.NewGuid():N}");

    private const string Valid = """
        id: psb.household
        name:
          zh: 户籍人口
          en: Household registration
        agency:
          code: psb
          name: { zh: 市公安局, en: Public Security Bureau }
        target: population.persons
        key:
          column: 公民身份号码
          kind: citizen
        source:
          format: csv
        delivery:
          mode: full
        fields:
          - source: 公民身份号码
            target: id_number
            type: string
            required: true
          - source: 姓名
            target: name
            required: true
          - source: 出生日期
            target: birth_date
            type: date
            format: [yyyyMMdd]
        sharing:
          class: unconditional
        authoritative: [name]
        """;

    private static CatalogueEntry Load(string yaml) => CatalogueYaml.Load(new StringReader(yaml), "psb.household.yaml");

    private static IReadOnlyList<CatalogueFileProblem> Problems(string yaml) =>
        Assert.Throws<CatalogueFileException>(() => Load(yaml)).Problems;

    /// <summary>The 1-based line and column of <paramref name="token"/> on the first line that contains <paramref name="lineText"/>.</summary>
    private static (int Line, int Column) Position(string yaml, string lineText, string token)
    {
        var lines = yaml.Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(lineText, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line holds '{lineText}'");
        return (index + 1, lines[index].IndexOf(token, StringComparison.Ordinal) + 1);
    }

    private static string Edit(string from, string to)
    {
        Assert.Contains(from, Valid, StringComparison.Ordinal);
        return Valid.Replace(from, to, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Should_ReadEveryPart_When_TheEntryIsValid()
    {
        var entry = Load(Valid);

        Assert.Equal("psb.household", entry.Id);
        Assert.Equal(new LocalizedName("户籍人口", "Household registration"), entry.Name);
        Assert.Equal(new AgencyRef("psb", new LocalizedName("市公安局", "Public Security Bureau")), entry.Agency);
        Assert.Equal(("公民身份号码", (IdentifierKind?)IdentifierKind.Citizen), (entry.KeyColumn, entry.KeyKind));
        Assert.Equal(["id_number", "name", "birth_date"], entry.Fields.Select(f => f.Target));
        Assert.Equal(["string", "string", "date"], entry.Fields.Select(f => f.Type)); // name's type is the attribute's
        Assert.Equal([true, true, false], entry.Fields.Select(f => f.Required));
        Assert.Equal(["yyyyMMdd"], entry.Fields[2].Formats);
        Assert.Equal(0.05, entry.QuarantineThreshold);
        Assert.Equal(DeliveryMode.Full, entry.Delivery.Mode);
        Assert.Equal(["online_query"], entry.Provision);
    }

    [Fact]
    public void Load_Should_ReportAMisspeltKey_WithDidYouMean_LineAndColumn()
    {
        var yaml = Edit("    type: string\n    required: true", "    type: string\n    requried: true");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("fields[0].requried", problem.Path);
        Assert.Equal("unknown key 'requried'; did you mean 'required'?", problem.Message);
        Assert.Equal(Position(yaml, "requried:", "requried"), (problem.Line, problem.Column));
        Assert.Equal("psb.household.yaml", problem.File);
        Assert.Equal($"psb.household.yaml:{problem.Line}:5: fields[0].requried: unknown key 'requried'; did you mean 'required'?", problem.ToString());
    }

    [Fact]
    public void Load_Should_ReportAnUnknownTargetAttribute_WithDidYouMean()
    {
        var yaml = Edit("target: birth_date", "target: birth_dat");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("fields[2].target", problem.Path);
        Assert.StartsWith("'birth_dat' is not an attribute of population.persons; did you mean 'birth_date'?", problem.Message, StringComparison.Ordinal);
        Assert.Equal(Position(yaml, "target: birth_dat", "birth_dat"), (problem.Line, problem.Column));
    }

    [Fact]
    public void Load_Should_ReportATypeThatDiffersFromTheAttributes()
    {
        var yaml = Edit("    type: date\n    format: [yyyyMMdd]", "    type: integer");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("fields[2].type", problem.Path);
        Assert.Equal("'integer' differs from the type of population.persons.birth_date, which is 'date'.", problem.Message);
        Assert.Equal(Position(yaml, "type: integer", "integer"), (problem.Line, problem.Column));
    }

    [Fact]
    public void Load_Should_RejectDateFormats_When_TheAttributeIsNoDate()
    {
        var yaml = Edit("    target: name\n", "    target: name\n    format: [yyyyMMdd]\n");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("fields[1].format", problem.Path);
        Assert.Equal("date formats apply to date and timestamp attributes, not to 'string'.", problem.Message);
    }

    [Fact]
    public void Load_Should_ReportAKeyKindThatIsNotTheTables()
    {
        var yaml = Edit("kind: citizen", "kind: uscc");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("key.kind", problem.Path);
        Assert.Equal("population.persons is keyed by citizen; the entry says uscc.", problem.Message);
        Assert.Equal(Position(yaml, "kind: uscc", "uscc"), (problem.Line, problem.Column));
    }

    [Fact]
    public void Load_Should_RequireALegalBasis_When_SharingIsConditional()
    {
        var yaml = Edit("class: unconditional", "class: conditional");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("sharing.legalBasis", problem.Path);
        Assert.Equal("a conditional entry needs the legal basis it rests on (ZZ 14, XY 15).", problem.Message);
        Assert.Equal(Position(yaml, "class: conditional", "class"), (problem.Line, problem.Column)); // where the sharing mapping is written
    }

    [Fact]
    public void Load_Should_AcceptAConditionalEntry_When_ItCitesItsLegalBasis()
    {
        var entry = Load(Edit("class: unconditional", "class: conditional\n  legalBasis: 《郑州市政务数据共享管理办法》第十四条"));

        Assert.Equal(SharingClass.Conditional, entry.Sharing.Class);
        Assert.Equal("《郑州市政务数据共享管理办法》第十四条", entry.Sharing.LegalBasis);
    }

    [Fact]
    public void Load_Should_RejectADeletionMarker_When_DeliveryIsFull()
    {
        var yaml = Edit("  mode: full", "  mode: full\n  deletionMarker: { column: 操作类型, values: [D] }");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("delivery.deletionMarker", problem.Path);
        Assert.StartsWith("a deletion marker applies to incremental deliveries only", problem.Message, StringComparison.Ordinal);
        Assert.Equal(Position(yaml, "deletionMarker:", "{"), (problem.Line, problem.Column));
    }

    [Fact]
    public void Load_Should_ReadTheDeletionMarker_When_DeliveryIsIncremental()
    {
        var entry = Load(Edit("  mode: full", "  mode: incremental\n  deletionMarker: { column: 操作类型, values: [D, 删除] }"));

        Assert.Equal(DeliveryMode.Incremental, entry.Delivery.Mode);
        Assert.Equal("操作类型", entry.Delivery.DeletionColumn);
        Assert.Equal(["D", "删除"], entry.Delivery.DeletionValues);
    }

    [Fact]
    public void Load_Should_ReportTheLine_When_TextIsNotValidYaml()
    {
        var yaml = Edit("  en: Household registration", "  en: Household: registration");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("", problem.Path);
        Assert.StartsWith("not valid YAML: ", problem.Message, StringComparison.Ordinal);
        Assert.Equal(Position(yaml, "Household: registration", "").Line, problem.Line);
    }

    [Fact]
    public void Load_Should_ReportAProblem_When_AFlowSequenceIsNeverClosed()
    {
        // YamlDotNet's scanner throws InvalidOperationException (not YamlException) for this one.
        var yaml = Edit("  zh: 户籍人口", "  zh: [户籍人口");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("", problem.Path);
        Assert.StartsWith("not valid YAML: ", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Line >= Position(yaml, "[户籍人口", "").Line, $"line {problem.Line}");
    }

    [Fact]
    public void Load_Should_ReportEveryStructuralProblem_InLineOrder()
    {
        var yaml = Edit("target: population.persons\n", "").Replace("  format: csv", "  formatt: csv", StringComparison.Ordinal)
            .Replace("    required: true\n  - source: 姓名", "    required: maybe\n  - source: 姓名", StringComparison.Ordinal);

        var problems = Problems(yaml);

        Assert.Equal(["target", "source.formatt", "fields[0].required"], problems.Select(p => p.Path));
        Assert.Equal(["'target' is required.", "unknown key 'formatt'; did you mean 'format'?", "'maybe' is not true or false."], problems.Select(p => p.Message));
        Assert.Equal((1, 1), (problems[0].Line, problems[0].Column));
        Assert.True(problems[0].Line < problems[1].Line && problems[1].Line < problems[2].Line);
    }

    [Fact]
    public void Load_Should_RejectAMappedCodeOutsideTheEnumeration()
    {
        var yaml = Edit("  - source: 出生日期", "  - source: 性别\n    target: sex\n    map: { 男: man, 女: female }\n  - source: 出生日期");

        var problem = Assert.Single(Problems(yaml));

        Assert.Equal("fields[2].map.男", problem.Path);
        Assert.Equal("'man' is not a value of sex; use male, female.", problem.Message);
        Assert.Equal(Position(yaml, "map: { 男: man", "男"), (problem.Line, problem.Column));
    }

    [Fact]
    public void LoadFolder_Should_ReportDuplicateIds_AcrossFiles()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "a.yaml"), Valid);
        File.WriteAllText(Path.Combine(_folder, "b.yml"), Valid.Replace("户籍人口", "户籍人口（副本）", StringComparison.Ordinal));

        var problem = Assert.Single(Assert.Throws<CatalogueFileException>(() => CatalogueYaml.LoadFolder(_folder)).Problems);

        Assert.Equal(new CatalogueFileProblem("b.yml", 0, 0, "id", "'psb.household' is also the id of a.yaml."), problem);
        Assert.Equal("b.yml: id: 'psb.household' is also the id of a.yaml.", problem.ToString());
    }

    [Fact]
    public void LoadFolder_Should_LoadEveryYamlFile_InNameOrder_AndIgnoreOtherFiles()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "b.yaml"), Valid);
        File.WriteAllText(Path.Combine(_folder, "a.yml"), Valid.Replace("id: psb.household", "id: psb.household-2023", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_folder, "README.md"), "# not an entry");

        var entries = CatalogueYaml.LoadFolder(_folder);

        Assert.Equal(["psb.household-2023", "psb.household"], entries.Select(e => e.Id));
    }

    [Fact]
    public void LoadFolder_Should_ReportTheProblemsOfEveryFile_WithTheirFileNames()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "a.yaml"), Valid.Replace("kind: citizen", "kind: uscc", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_folder, "b.yaml"), Valid.Replace("id: psb.household", "id: psb.other\nidd: x", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_folder, "c.yaml"), Valid.Replace("id: psb.household", "id: psb.third", StringComparison.Ordinal));

        var problems = Assert.Throws<CatalogueFileException>(() => CatalogueYaml.LoadFolder(_folder)).Problems;

        Assert.Equal([("a.yaml", "key.kind"), ("b.yaml", "idd")], problems.Select(p => (p.File, p.Path)));
    }

    [Fact]
    public void LoadFolder_Should_SayNotFound_When_TheFolderIsMissing()
    {
        var error = Assert.Throws<LakeException>(() => CatalogueYaml.LoadFolder(_folder));

        Assert.Equal(LakeErrorKind.NotFound, error.Kind);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
