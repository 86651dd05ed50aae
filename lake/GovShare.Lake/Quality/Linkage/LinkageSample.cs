using System.Globalization;
using System.Text;

namespace GovShare.Lake.Quality.Linkage;

/// <summary>Two person files made from the same synthetic people, with the links between them known: a clean
/// register on the left, a keyless legacy file on the right with the noise such files have (traditional characters,
/// full-width digits, one-character typos, transposed birth-date digits, other date forms, missing values, changed
/// phones and addresses), people on only one side, households sharing an address, and many people called 张伟 or 王芳
/// so that names alone cannot decide. What <c>govshare quality evaluate</c> measures the linkage on, and the tests use.</summary>
public static class LinkageSample
{
    public static readonly string[] LeftColumns = ["编号", "姓名", "性别", "出生日期", "联系电话", "住址"];

    public static readonly string[] RightColumns = ["record_no", "xm", "xb", "csrq", "lxdh", "dz"];

    /// <summary>The <c>--fields</c> of the CLI for these files: left column = right column.</summary>
    public const string FieldMapping = "姓名=xm,性别=xb,出生日期=csrq,联系电话=lxdh,住址=dz";

    private static readonly string[] Surnames =
        ["王", "李", "张", "刘", "陈", "杨", "赵", "郭", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "高", "林", "何", "罗", "郑", "梁", "宋", "谢", "韩", "冯", "于", "董", "程", "曹"];

    private static readonly double[] SurnameWeights =
        [7.9, 7.4, 7.1, 5.4, 4.2, 3.1, 2.9, 1.9, 1.6, 1.7, 1.3, 1.2, 1.6, 1.7, 1.4, 1.3, 1.4, 0.6, 0.9, 0.6, 0.9, 0.8, 1.1, 0.6, 0.9, 0.9, 0.7, 0.8, 0.7, 0.8];

    private static readonly string[] Male = ["伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩", "凯", "国", "东", "建", "文"];

    private static readonly string[] Female = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "桂", "兰", "萍", "燕", "红", "梅", "琳", "婷", "雪", "慧", "颖", "云", "凤", "晓"];

    /// <summary>The most common full names in China: a quarter of the people get one.</summary>
    private static readonly (string Name, bool Male)[] Common =
    [
        ("张伟", true), ("王伟", true), ("王芳", false), ("李伟", true), ("李娜", false), ("张敏", false), ("李静", false), ("王静", false),
        ("刘伟", true), ("王秀英", false), ("张丽", false), ("李强", true), ("王敏", false), ("李敏", false), ("王磊", true), ("刘洋", true),
    ];

    private static readonly string[] Districts = ["中原区", "二七区", "管城回族区", "金水区", "上街区", "惠济区", "郑东新区", "高新区"];

    private static readonly string[] Roads =
    [
        "建设路", "中原路", "桐柏路", "嵩山路", "淮河路", "大学路", "航海路", "陇海路", "金水路", "花园路", "文化路", "经三路", "纬五路", "农业路", "东风路",
        "黄河路", "丰产路", "商城路", "紫荆山路", "未来路", "郑汴路", "城东路", "英协路", "红旗路", "南阳路", "东明路", "政七街", "工人路", "伏牛路", "互助路",
    ];

    private static readonly Dictionary<char, char> Traditional = new()
    {
        ['张'] = '張', ['刘'] = '劉', ['陈'] = '陳', ['杨'] = '楊', ['黄'] = '黃', ['赵'] = '趙', ['吴'] = '吳', ['孙'] = '孫', ['马'] = '馬',
        ['罗'] = '羅', ['郑'] = '鄭', ['谢'] = '謝', ['韩'] = '韓', ['冯'] = '馮', ['伟'] = '偉', ['强'] = '強', ['军'] = '軍', ['杰'] = '傑',
        ['涛'] = '濤', ['刚'] = '剛', ['辉'] = '輝', ['鹏'] = '鵬', ['华'] = '華', ['飞'] = '飛', ['凯'] = '凱', ['国'] = '國', ['东'] = '東',
        ['静'] = '靜', ['丽'] = '麗', ['艳'] = '艷', ['兰'] = '蘭', ['颖'] = '穎', ['云'] = '雲', ['凤'] = '鳳', ['晓'] = '曉', ['红'] = '紅',
        ['区'] = '區', ['号'] = '號', ['楼'] = '樓', ['单'] = '單',
    };

    /// <summary>The two files' rows (id first, then the columns above) and the true links.</summary>
    public sealed record Files(List<string[]> Left, List<string[]> Right, HashSet<(string Left, string Right)> Links);

    private sealed record Person(string Name, bool Male, DateOnly Birth, string? Phone, string Address);

    /// <summary>Makes the files: about <paramref name="people"/> people, 88 % of them on each side.</summary>
    public static Files Generate(int people, int seed)
    {
        var random = new Random(seed);
        var persons = People(random, people);
        var left = new List<(Person Person, int Id)>();
        var right = new List<(Person Person, int Id)>();
        for (var i = 0; i < persons.Count; i++)
        {
            var onLeft = random.NextDouble() < 0.88;
            var onRight = random.NextDouble() < 0.88;
            if (onLeft)
            {
                left.Add((persons[i], i));
            }

            if (onRight)
            {
                right.Add((persons[i], i));
            }
        }

        // Ids that reveal nothing: numbered in a shuffled order on each side.
        Shuffle(random, left);
        Shuffle(random, right);
        var leftIds = new Dictionary<int, string>();
        var leftRows = new List<string[]>();
        foreach (var (person, index) in left)
        {
            var id = "P" + (leftRows.Count + 1).ToString("D6", CultureInfo.InvariantCulture);
            leftIds[index] = id;
            leftRows.Add(LeftRow(random, id, person));
        }

        var links = new HashSet<(string, string)>();
        var rightRows = new List<string[]>();
        foreach (var (person, index) in right)
        {
            var id = "OLD-" + (rightRows.Count + 1).ToString("D6", CultureInfo.InvariantCulture);
            rightRows.Add(RightRow(random, id, person));
            if (leftIds.TryGetValue(index, out var leftId))
            {
                links.Add((leftId, id));
            }
        }

        return new Files(leftRows, rightRows, links);
    }

    /// <summary>Writes rows as CSV with a header, quoting where needed.</summary>
    public static void Write(string path, string[] columns, IEnumerable<string[]> rows, Encoding encoding)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', columns.Select(Quote)).Append("\r\n");
        foreach (var row in rows)
        {
            text.AppendJoin(',', row.Select(Quote)).Append("\r\n");
        }

        File.WriteAllText(path, text.ToString(), encoding);
    }

    /// <summary>The two files as linkage inputs, each field's type recognised from the values as the CLI does.</summary>
    public static (LinkageInput Left, LinkageInput Right) Inputs(Files files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var fields = LeftColumns.Skip(1)
            .Select((name, f) => new LinkageField(name, FieldTypes.Infer(files.Left.Concat(files.Right).Take(2000).Select(row => row[f + 1]))))
            .ToList();
        var left = new LinkageInput("left", fields);
        var right = new LinkageInput("right", fields);
        foreach (var (side, rows) in new[] { (left, files.Left), (right, files.Right) })
        {
            foreach (var row in rows)
            {
                if (!side.TryAdd(row[0], row[1..], out _))
                {
                    throw new InvalidOperationException($"the generated {side.Name} file repeats the id {row[0]}.");
                }
            }
        }

        return (left, right);
    }

    /// <summary>Precision, recall and F1 of found links against the true ones.</summary>
    public static (double Precision, double Recall, double F1) Score(IEnumerable<(string Left, string Right)> found, HashSet<(string Left, string Right)> truth)
    {
        var list = found.ToList();
        var correct = list.Count(truth.Contains);
        var precision = list.Count == 0 ? 0 : (double)correct / list.Count;
        var recall = truth.Count == 0 ? 0 : (double)correct / truth.Count;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static List<Person> People(Random random, int count)
    {
        var people = new List<Person>(count);
        while (people.Count < count)
        {
            // A household: one address, one to four people, the children with the father's surname.
            var address = $"河南省郑州市{Pick(random, Districts)}{Pick(random, Roads)}{random.Next(1, 300)}号{random.Next(1, 30)}号楼{random.Next(1, 6)}单元{random.Next(1, 33)}0{random.Next(1, 5)}";
            var size = Math.Min(count - people.Count, 1 + random.Next(4));
            var familyName = Surname(random);
            var parentsBorn = new DateOnly(1940, 1, 1).AddDays(random.Next(365 * 50));
            for (var member = 0; member < size; member++)
            {
                var male = random.NextDouble() < 0.5;
                string name;
                if (random.NextDouble() < 0.25)
                {
                    (name, male) = Pick(random, Common);
                }
                else
                {
                    var surname = member == 1 ? Surname(random) : familyName;
                    var pool = male ? Male : Female;
                    name = surname + Pick(random, pool) + (random.NextDouble() < 0.7 ? Pick(random, pool) : "");
                }

                var born = member < 2 ? parentsBorn.AddDays(random.Next(-2000, 2000)) : parentsBorn.AddDays(365 * 22 + random.Next(365 * 15));
                var phone = member >= 2 && random.NextDouble() < 0.4 ? null : "1" + (3 + random.Next(7)) + random.NextInt64(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);
                people.Add(new Person(name, male, born, phone, address));
            }
        }

        return people;
    }

    private static string[] LeftRow(Random random, string id, Person person) =>
    [
        id,
        Maybe(random, 0.01, person.Name),
        Maybe(random, 0.01, person.Male ? "男" : "女"),
        Maybe(random, 0.01, person.Birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        Maybe(random, 0.02, person.Phone ?? ""),
        Maybe(random, 0.02, person.Address),
    ];

    private static string[] RightRow(Random random, string id, Person person)
    {
        var name = person.Name;
        var roll = random.NextDouble();
        if (roll < 0.12)
        {
            name = ToTraditional(name);
        }
        else if (roll < 0.16)
        {
            // One character mistyped: a given-name character replaced by another.
            var pool = person.Male ? Male : Female;
            var at = 1 + random.Next(name.Length - 1);
            name = name[..at] + Pick(random, pool) + name[(at + 1)..];
        }

        var birth = person.Birth;
        var digits = birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        roll = random.NextDouble();
        if (roll < 0.05)
        {
            digits = Transposed(random, digits);
        }
        else if (roll < 0.07)
        {
            digits = OneDigitChanged(random, digits);
        }

        var date = DateOnly.ParseExact(digits, "yyyyMMdd", CultureInfo.InvariantCulture);
        var birthText = random.NextDouble() < 0.5 ? digits : date.ToString("yyyy/M/d", CultureInfo.InvariantCulture);
        if (random.NextDouble() < 0.1)
        {
            birthText = FullWidth(birthText);
        }

        var phone = person.Phone ?? "";
        roll = random.NextDouble();
        if (phone.Length > 0 && roll < 0.15)
        {
            phone = "1" + (3 + random.Next(7)) + random.NextInt64(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture); // a new number
        }
        else if (phone.Length > 0 && roll < 0.18)
        {
            phone = OneDigitChanged(random, phone);
        }

        if (random.NextDouble() < 0.1)
        {
            phone = FullWidth(phone);
        }

        var address = person.Address;
        roll = random.NextDouble();
        if (roll < 0.2)
        {
            address = $"河南省郑州市{Pick(random, Districts)}{Pick(random, Roads)}{random.Next(1, 300)}号"; // moved since
        }
        else if (roll < 0.35)
        {
            address = address.Replace("河南省", "", StringComparison.Ordinal);
        }
        else if (roll < 0.4)
        {
            address = ToTraditional(address);
        }

        return
        [
            id,
            Maybe(random, 0.03, name),
            Maybe(random, 0.03, person.Male ? "男" : "女"),
            Maybe(random, 0.03, birthText),
            Maybe(random, 0.08, phone),
            Maybe(random, 0.05, address),
        ];
    }

    private static string Surname(Random random)
    {
        var roll = random.NextDouble() * SurnameWeights.Sum();
        for (var i = 0; i < Surnames.Length; i++)
        {
            roll -= SurnameWeights[i];
            if (roll < 0)
            {
                return Surnames[i];
            }
        }

        return Surnames[^1];
    }

    /// <summary>Two adjacent digits swapped, where they differ and the result is still a date (not in the century:
    /// no clerk writes 9185 for 1985).</summary>
    private static string Transposed(Random random, string digits)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var at = 2 + random.Next(digits.Length - 3);
            if (digits[at] == digits[at + 1])
            {
                continue;
            }

            var swapped = digits[..at] + digits[at + 1] + digits[at] + digits[(at + 2)..];
            if (DateOnly.TryParseExact(swapped, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return swapped;
            }
        }

        return digits;
    }

    /// <summary>One digit replaced by another (for a date: not in the century, and only where the result is still a
    /// date).</summary>
    private static string OneDigitChanged(Random random, string digits)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var at = digits.Length == 8 ? 2 + random.Next(6) : random.Next(digits.Length);
            var changed = digits[..at] + (char)('0' + (digits[at] - '0' + 1 + random.Next(9)) % 10) + digits[(at + 1)..];
            if (digits.Length != 8 || DateOnly.TryParseExact(changed, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return changed;
            }
        }

        return digits;
    }

    private static string ToTraditional(string text) => string.Concat(text.Select(c => Traditional.TryGetValue(c, out var t) ? t : c));

    private static string FullWidth(string text) => string.Concat(text.Select(c => char.IsAsciiDigit(c) ? (char)(c - '0' + '０') : c == '/' ? '／' : c));

    private static string Maybe(Random random, double missing, string value) => random.NextDouble() < missing ? "" : value;

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static void Shuffle<T>(Random random, List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
