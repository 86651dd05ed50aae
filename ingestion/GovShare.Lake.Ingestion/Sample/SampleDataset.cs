namespace GovShare.Lake.Ingestion.Sample;

/// <summary>The file format of a delivery, as the catalogue spells it.</summary>
internal enum SampleFormat
{
    Csv,
    JsonLines,
    Parquet,
    Xlsx,
}

/// <summary>How a delivery's text is encoded.</summary>
internal enum SampleEncoding
{
    /// <summary>Not a text file (Parquet, xlsx).</summary>
    Binary,
    Utf8,
    Utf8WithBom,
    Gbk,
}

/// <summary>One row of a delivery and what is deliberately wrong with it.</summary>
/// <param name="Values">The values, in the dataset's column order (null: empty).</param>
internal sealed record SampleRow(string?[] Values)
{
    /// <summary>The source column of a deliberate error, with <see cref="InvalidReason"/>.</summary>
    public string? InvalidField { get; init; }

    /// <summary>The ingestion reason code the row must be quarantined with.</summary>
    public string? InvalidReason { get; init; }

    /// <summary>A cross-field inconsistency the ingestion only warns about.</summary>
    public string? Warning { get; init; }

    /// <summary>When positive, the key is delivered again this many rows later (both rows are duplicate_key).</summary>
    public int DuplicateAfter { get; init; }

    /// <summary>The values of the repeated row, when they differ from <see cref="Values"/> (an amended copy).</summary>
    public string?[]? DuplicateValues { get; init; }
}

/// <summary>One agency dataset of the synthetic city: its file, its catalogue entry and its rows.</summary>
internal abstract class SampleDataset(SampleCity city)
{
    protected SampleCity City => city;

    public abstract string Id { get; }

    public abstract string Agency { get; }

    public abstract SampleFormat Format { get; }

    public abstract SampleEncoding Encoding { get; }

    /// <summary>The file name, without folders.</summary>
    public abstract string FileName { get; }

    public abstract IReadOnlyList<string> Columns { get; }

    /// <summary>The source column holding the key.</summary>
    public abstract string KeyColumn { get; }

    /// <summary>The catalogue entry, as YAML (docs/catalogue.md).</summary>
    public abstract string CatalogueYaml { get; }

    /// <summary>How many items the generator walks through (persons, entities, licences): for progress.</summary>
    public abstract long Units { get; }

    /// <summary>Whether CSV lines end with CR LF (files exported on Windows) rather than LF.</summary>
    public virtual bool CrLf => false;

    /// <summary>For Parquet: each column's DuckDB type.</summary>
    public virtual IReadOnlyList<string> ParquetTypes => [];

    /// <summary>For xlsx: the sheet's name.</summary>
    public virtual string SheetName => "Sheet1";

    /// <summary>The path of the file under the output folder, with '/' separators.</summary>
    public string RelativePath => $"deliveries/{Agency}/{Id}/{FileName}";

    public string FormatName => Format switch
    {
        SampleFormat.JsonLines => "jsonl",
        SampleFormat.Parquet => "parquet",
        SampleFormat.Xlsx => "xlsx",
        _ => "csv",
    };

    public string? EncodingName => Encoding switch
    {
        SampleEncoding.Utf8 => "utf-8",
        SampleEncoding.Utf8WithBom => "utf-8-bom",
        SampleEncoding.Gbk => "gbk",
        _ => null,
    };

    /// <summary>The rows, streamed; the run numbers them and records their labels.</summary>
    public abstract IEnumerable<SampleRow> Rows(DatasetRun run);

    /// <summary>The date stamp delivery files carry in their names.</summary>
    /// <summary>A row made invalid on purpose: one column replaced, and the field and reason the ingestion
    /// must report for it (labels/invalid-rows.csv).</summary>
    protected SampleRow Broken(string?[] values, int column, string? value, string reason) =>
        new(With(values, column, value)) { InvalidField = Columns[column], InvalidReason = reason };

    /// <summary>The row a fate makes of a person's values in the datasets that follow the common pattern, or
    /// null for a normal row (and for a fate the dataset does not produce).</summary>
    protected SampleRow? Faulty(RowFate fate, string?[] values, string id, DateOnly birthDate, ref SampleRandom random, DatasetRun run, PersonFaults faults) =>
        fate switch
        {
            RowFate.Duplicate => new SampleRow(values) { DuplicateAfter = 1 + random.Next(faults.DuplicateSpread) },
            RowFate.InvalidIdentifier => Broken(values, 0, SampleCity.BrokenCitizenId(id, ref random, run.SyntheticKeys), "invalid_identifier"),
            RowFate.InvalidDate when faults.ImpossibleDateFormat is { } format =>
                Broken(values, faults.BirthColumn, SampleCity.ImpossibleDate(birthDate, format, ref random), "invalid_date"),
            RowFate.ImplausibleDate when faults.FutureBirthDates =>
                Broken(values, faults.BirthColumn, SampleCity.Iso(City.FutureDate(ref random)), "implausible_date"),
            RowFate.MissingRequired => Broken(values, faults.RequiredColumn, null, "missing_required"),
            RowFate.InvalidEnum => Broken(values, faults.EnumColumn, random.Chance(0.5) ? faults.BadCodes[0] : faults.BadCodes[1], "invalid_enum"),
            _ => null,
        };

    /// <summary>Now and then a person's name as a provider that is not its authority delivers it wrong: one character
    /// mistyped (<c>name_typo</c>, a minor variant), written in pinyin (<c>pinyin_name</c>, equivalent: the same name)
    /// or another person's name altogether (<c>other_name</c>, a data-entry mix-up: a material conflict). The rates are
    /// per row; null for most rows.</summary>
    protected (string Value, string Label, string Variant)? NameVariant(Person person, ref SampleRandom random, double typo, double pinyin, double other)
    {
        var u = random.NextDouble();
        if (u < typo)
        {
            return ChineseNames.Mistype(person.Name, 0, ref random) is { } mistyped ? (mistyped, "minor_variant", "name_typo") : null;
        }

        if ((u -= typo) < pinyin)
        {
            return ChineseNames.Pinyin(person.Surname, person.GivenName, capitalSurname: random.Chance(0.6)) is { } latin
                ? (latin, "equivalent", "pinyin_name") : null;
        }

        return u - pinyin < other && City.OtherName(person) is { } name ? (name, "material_conflict", "other_name") : null;
    }

    /// <summary>A copy of a row with one value replaced.</summary>
    protected static string?[] With(string?[] values, int column, string? value)
    {
        var copy = (string?[])values.Clone();
        copy[column] = value;
        return copy;
    }

    protected string Stamp => City.AsOf.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Where a person dataset's deliberately broken rows break (the column positions and forms differ per agency).</summary>
/// <param name="DuplicateSpread">A duplicated row's copy comes within this many rows.</param>
/// <param name="BirthColumn">The birth date column.</param>
/// <param name="ImpossibleDateFormat">The form impossible birth dates are written in, or null for none.</param>
/// <param name="FutureBirthDates">Whether the dataset gets birth dates in the future (ISO form).</param>
/// <param name="RequiredColumn">The required column left empty.</param>
/// <param name="EnumColumn">The coded column given an unmapped code.</param>
/// <param name="BadCodes">Two codes the catalogue entry does not map.</param>
internal sealed record PersonFaults(
    int DuplicateSpread, int BirthColumn, string? ImpossibleDateFormat, bool FutureBirthDates, int RequiredColumn, int EnumColumn, string[] BadCodes);
