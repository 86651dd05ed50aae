using System.Globalization;
using GovShare.Lake.Delta;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Bench;

/// <summary>A synthetic population register generated inside DuckDB from a list of integer keys, so that
/// both sides of every comparison read exactly the same rows. Every non-key column is a function of the key
/// and a salt: the same key with another salt is the same person with changed details (an update).</summary>
internal static class PersonsData
{
    public const string KeyColumn = "id_number";

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"];

    private static readonly string[] GivenCharacters = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "文", "玉", "兰", "海", "红"];

    private static readonly string[] Streets = ["人民路", "解放路", "中山路", "建设路", "和平路", "胜利路", "幸福路", "文化路", "新华街", "长江路", "黄河路", "朝阳街", "青年路", "东风路", "光明街", "五一路"];

    public static DeltaSchema Schema { get; } = new(
    [
        new DeltaField(KeyColumn, "string", Nullable: false),
        new DeltaField("name", "string"),
        new DeltaField("sex", "string"),
        new DeltaField("birth_date", "date"),
        new DeltaField("household_division", "string"),
        new DeltaField("address", "string"),
        new DeltaField("status", "string"),
    ]);

    /// <summary>The columns in schema order, for checksums.</summary>
    public static string ColumnList => string.Join(", ", Schema.Fields.Select(f => LakeDuckDb.Identifier(f.Name)));

    /// <summary>The population: persons with the even keys 0, 2, …, 2 (n − 1).</summary>
    public static string Population(long persons) =>
        Rows(Invariant($"SELECT 2 * i AS key FROM range(0, {persons}) r(i)"), salt: 0);

    /// <summary>A batch of the population's changes: <paramref name="updates"/> existing persons spread evenly
    /// over the whole key range, with changed details, and <paramref name="inserts"/> new persons with odd
    /// keys, also spread over the whole range (so no data file is spared by its key statistics).</summary>
    public static string Batch(long persons, long updates, long inserts) =>
        Rows(Invariant($"SELECT 2 * ((k * {persons}) // {updates}) AS key FROM range(0, {updates}) r(k) ") +
             Invariant($"UNION ALL SELECT 2 * ((j * {persons}) // {inserts}) + 1 AS key FROM range(0, {inserts}) r(j)"), salt: 1);

    /// <summary>Rows for the keys <c>[first, first + count)</c> (for a table of their own).</summary>
    public static string Range(long first, int count) =>
        Rows(Invariant($"SELECT {first} + i AS key FROM range(0, {count}) r(i)"), salt: 2);

    /// <summary>One row per key of <paramref name="keys"/> (a query with a BIGINT column <c>key</c>).</summary>
    private static string Rows(string keys, int salt)
    {
        var divisions = DivisionRegistry.Embedded.All
            .Where(d => d.Level == DivisionLevel.County && d.Status == DivisionStatus.InUse)
            .Select(d => d.Code).Distinct().Order(StringComparer.Ordinal).ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"""
            SELECT printf('%018d', key) AS id_number,
                   {List(Surnames)}[1 + (h % {Surnames.Length})::INTEGER]
                     || {List(GivenCharacters)}[1 + ((h >> 8) % {GivenCharacters.Length})::INTEGER]
                     || CASE WHEN (h >> 14) % 3 = 0 THEN '' ELSE {List(GivenCharacters)}[1 + ((h >> 16) % {GivenCharacters.Length})::INTEGER] END AS name,
                   CASE WHEN (h >> 22) % 2 = 0 THEN '1' ELSE '2' END AS sex,
                   DATE '1930-01-01' + ((h >> 23) % 34000)::INTEGER AS birth_date,
                   {List(divisions)}[1 + ((h >> 38) % {divisions.Length})::INTEGER] AS household_division,
                   {List(Streets)}[1 + ((h >> 50) % {Streets.Length})::INTEGER]
                     || (1 + (h >> 54) % 400)::VARCHAR || '号' || (1 + (h >> 4) % 30)::VARCHAR || '栋'
                     || (101 + (h >> 28) % 2000)::VARCHAR || '室' AS address,
                   CASE WHEN (h >> 46) % 100 < 92 THEN 'registered' WHEN (h >> 46) % 100 < 97 THEN 'moved_out' ELSE 'deceased' END AS status
            FROM (SELECT key, hash(key, {salt}) AS h FROM ({keys}) k) g
            """);
    }

    private static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(LakeDuckDb.Literal)) + "]";

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
