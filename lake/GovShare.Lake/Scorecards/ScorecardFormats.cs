using System.Globalization;
using System.Net;
using System.Text;

namespace GovShare.Lake.Scorecards;

/// <summary>The scorecards as CSV tables (for spreadsheets) and as the annual evaluation report (one HTML page an
/// operator can publish: no scripts, no external files, printable).</summary>
public static class ScorecardFormats
{
    /// <summary>The CSV tables: <c>providers</c>, <c>datasets</c>, <c>consumers</c> and <c>purposes</c>.</summary>
    public static IReadOnlyList<string> Tables { get; } = ["providers", "datasets", "consumers", "purposes"];

    /// <summary>One table as CSV (RFC 4180, CRLF, a header row).</summary>
    public static string Csv(Scorecards cards, string table)
    {
        var text = new StringBuilder();
        switch (table)
        {
            case "providers":
                Row(text, "period", "agency", "name_zh", "name_en", "datasets", "deliveries", "committed", "unchanged", "refused", "failed", "rows_read",
                    "rows_provided", "rows_quarantined", "quarantine_rate", "deadlines", "deadlines_met", "deadlines_missed", "on_time_rate",
                    "fresh", "due", "overdue", "delinquent", "mismatches_reported", "mismatches_resolved", "mismatches_open", "mismatches_overdue",
                    "mismatch_median_working_days", "mismatches_withdrawn", "used_by_agencies", "use_requests", "use_queries", "use_lookups",
                    "use_exports", "rows_served");
                foreach (var p in cards.Providers)
                {
                    Row(text, [cards.Period, p.Agency, p.Name.Zh, p.Name.En, N(p.Datasets.Count), .. Deliveries(p.Deliveries), .. Deadlines(p.Deadlines),
                        N(p.Freshness.Fresh), N(p.Freshness.Due), N(p.Freshness.Overdue), N(p.Freshness.Delinquent), .. Mismatches(p.Mismatches), .. Use(p.Use)]);
                }

                break;
            case "datasets":
                Row(text, "period", "agency", "entry_id", "name_zh", "name_en", "deadline_class", "state", "deliveries", "committed", "unchanged", "refused",
                    "failed", "rows_read", "rows_provided", "rows_quarantined", "quarantine_rate", "deadlines", "deadlines_met", "deadlines_missed",
                    "on_time_rate", "mismatches_reported", "mismatches_resolved", "mismatches_open", "mismatches_overdue", "mismatch_median_working_days",
                    "mismatches_withdrawn", "used_by_agencies", "use_requests", "use_queries", "use_lookups", "use_exports", "rows_served");
                foreach (var p in cards.Providers)
                {
                    foreach (var d in p.Datasets)
                    {
                        Row(text, [cards.Period, p.Agency, d.EntryId, d.Name.Zh, d.Name.En, d.DeadlineClass, d.State, .. Deliveries(d.Deliveries),
                            .. Deadlines(d.Deadlines), .. Mismatches(d.Mismatches), .. Use(d.Use)]);
                    }
                }

                break;
            case "consumers":
                Row(text, "period", "agency", "name_zh", "name_en", "requests", "denied", "failed", "queries", "lookups", "exports", "rows_served", "resources", "purposes");
                foreach (var c in cards.Consumers)
                {
                    Row(text, cards.Period, c.Agency, c.Name?.Zh, c.Name?.En, N(c.Requests), N(c.Denied), N(c.Failed), N(c.Queries), N(c.Lookups), N(c.Exports), N(c.RowsServed),
                        N(c.Resources.Count), N(c.Purposes.Count));
                }

                break;
            case "purposes":
                Row(text, "period", "agency", "purpose", "requests", "rows_served");
                foreach (var c in cards.Consumers)
                {
                    foreach (var purpose in c.Purposes)
                    {
                        Row(text, cards.Period, c.Agency, purpose.Purpose, N(purpose.Requests), N(purpose.RowsServed));
                    }
                }

                break;
            default:
                throw new LakeException(LakeErrorKind.InvalidInput, $"there is no scorecard table '{table}'; the tables are {string.Join(", ", Tables)}.");
        }

        return text.ToString();
    }

    /// <summary>The annual evaluation report: a summary, each provider's record and each agency's use, in Chinese or
    /// (with <paramref name="english"/>) English.</summary>
    public static string Html(Scorecards cards, bool english)
    {
        string T(string zh, string en) => english ? en : zh;
        string Name(Catalogue.LocalizedName? name, string code) => name is null ? code : english ? name.En : name.Zh;
        var all = DeliveryFigures.Sum(cards.Providers.Select(p => p.Deliveries));
        var met = cards.Providers.Sum(p => p.Deadlines.Met);
        var deadlines = cards.Providers.Sum(p => p.Deadlines.Deadlines);
        var reported = cards.Providers.Sum(p => p.Mismatches.Reported);
        var overdue = cards.Providers.Sum(p => p.Mismatches.Overdue);

        var html = new StringBuilder();
        var title = T($"{cards.Period} 政务信息资源共享评估报告", $"Government information resource sharing: evaluation report {cards.Period}");
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="{T("zh-CN", "en")}">
            <head>
            <meta charset="utf-8">
            <title>{E(title)}</title>
            <style>
            body {"{"} font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em auto; max-width: 1200px; color: #1a1a1a; {"}"}
            table {"{"} border-collapse: collapse; width: 100%; margin: 1em 0 2em; font-size: 0.9em; {"}"}
            th, td {"{"} border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: right; {"}"}
            th {"{"} background: #eef2f7; {"}"} td.text, th.text {"{"} text-align: left; {"}"}
            .late {"{"} color: #a40000; font-weight: bold; {"}"} p.note {"{"} color: #555; font-size: 0.85em; {"}"}
            @media print {"{"} body {"{"} margin: 0; {"}"} {"}"}
            </style>
            </head>
            <body>
            <h1>{E(title)}</h1>
            <p>{E(T("统计期间", "Period"))}: {E(Day(cards.From))} – {E(Day(cards.To.AddDays(-1)))}{(cards.AsOf < cards.To ? E(T($"（截至 {Minute(cards.AsOf)}）", $" (as of {Minute(cards.AsOf)})")) : "")}</p>
            <h2>{E(T("一、总体情况", "1. Summary"))}</h2>
            <ul>
            <li>{E(T($"提供部门 {cards.Providers.Count} 个，共享资源 {cards.Providers.Sum(p => p.Datasets.Count)} 项", $"{cards.Providers.Count} providing agencies, {cards.Providers.Sum(p => p.Datasets.Count)} shared resources"))}</li>
            <li>{E(T($"数据报送 {all.Deliveries} 次，入库 {all.RowsProvided} 条，隔离率 {Percent(all.QuarantineRate)}", $"{all.Deliveries} deliveries, {all.RowsProvided} rows provided, quarantine rate {Percent(all.QuarantineRate)}"))}</li>
            <li>{E(T($"更新时限 {deadlines} 个，按时 {met} 个，按时率 {Percent(deadlines == 0 ? null : (double)met / deadlines)}", $"{deadlines} update deadlines, {met} met on time: {Percent(deadlines == 0 ? null : (double)met / deadlines)}"))}</li>
            <li>{E(T($"数据异议 {reported} 件，逾期处理 {overdue} 件", $"{reported} mismatch reports, {overdue} handled late"))}</li>
            <li>{E(T($"使用部门 {cards.Consumers.Count} 个，数据请求 {cards.Consumers.Sum(c => c.Requests)} 次，提供记录 {cards.Consumers.Sum(c => c.RowsServed)} 条", $"{cards.Consumers.Count} using agencies, {cards.Consumers.Sum(c => c.Requests)} data requests, {cards.Consumers.Sum(c => c.RowsServed)} rows served"))}</li>
            </ul>
            <h2>{E(T("二、提供部门", "2. Providing agencies"))}</h2>
            <table>
            <tr><th class="text">{E(T("部门", "Agency"))}</th><th>{E(T("资源", "Resources"))}</th><th>{E(T("报送次数", "Deliveries"))}</th><th>{E(T("入库条数", "Rows provided"))}</th><th>{E(T("隔离率", "Quarantine rate"))}</th><th>{E(T("按时率", "On time"))}</th><th>{E(T("当前逾期", "Overdue now"))}</th><th>{E(T("异议", "Mismatch reports"))}</th><th>{E(T("处理中位数（工作日）", "Median working days to resolve"))}</th><th>{E(T("逾期异议", "Handled late"))}</th><th>{E(T("使用部门", "Used by"))}</th><th>{E(T("被请求次数", "Requests"))}</th><th>{E(T("提供记录", "Rows served"))}</th></tr>

            """);
        foreach (var p in cards.Providers)
        {
            var late = p.Freshness.Overdue + p.Freshness.Delinquent;
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">{E(Name(p.Name, p.Agency))}</td><td>{p.Datasets.Count}</td><td>{p.Deliveries.Deliveries}</td><td>{p.Deliveries.RowsProvided}</td>" +
                $"<td>{Percent(p.Deliveries.QuarantineRate)}</td><td>{Percent(p.Deadlines.OnTimeRate)}</td><td{(late > 0 ? " class=\"late\"" : "")}>{late}</td>" +
                $"<td>{p.Mismatches.Reported}</td><td>{(p.Mismatches.MedianWorkingDaysToResolve is { } median ? median.ToString("0.#", CultureInfo.InvariantCulture) : "–")}</td>" +
                $"<td{(p.Mismatches.Overdue > 0 ? " class=\"late\"" : "")}>{p.Mismatches.Overdue}</td><td>{p.Use.Agencies}</td><td>{p.Use.Requests}</td><td>{p.Use.RowsServed}</td></tr>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </table>
            <h2>{E(T("三、使用部门", "3. Using agencies"))}</h2>
            <table>
            <tr><th class="text">{E(T("部门", "Agency"))}</th><th>{E(T("数据请求", "Requests"))}</th><th>{E(T("被拒绝", "Denied"))}</th><th>{E(T("查询", "Queries"))}</th><th>{E(T("核查", "Lookups"))}</th><th>{E(T("导出", "Exports"))}</th><th>{E(T("提供记录", "Rows served"))}</th><th class="text">{E(T("主要用途", "Main purposes"))}</th></tr>

            """);
        foreach (var c in cards.Consumers)
        {
            var purposes = string.Join("；", c.Purposes.Take(3).Select(p => $"{E(p.Purpose)} ({p.Requests})"));
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td class=\"text\">{E(Name(c.Name, c.Agency))}</td><td>{c.Requests}</td><td>{c.Denied}</td><td>{c.Queries}</td><td>{c.Lookups}</td><td>{c.Exports}</td>" +
                $"<td>{c.RowsServed}</td><td class=\"text\">{purposes}</td></tr>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </table>
            <h2>{E(T("四、统计口径", "4. How the figures are made"))}</h2>
            <p class="note">{E(T(
                "报送：平台投递日志中本期完成的每次投递（含未变化的重复投递）；入库条数为本期入库的记录数；隔离率为隔离记录数占读取记录数的比例。" +
                "按时率：按各资源的更新时限类别（实时、3日内、按季度、自定义）计算本期到期的每个时限是否按时报送，节假日顺延至下一工作日。" +
                "异议：本期对该部门提出的数据异议，处理天数按工作日计算，逾期为超过3个工作日核实时限。" +
                "使用：审计日志中其他部门本期经准许的数据请求；查询覆盖多个部门的数据时分别计入各部门。",
                "Deliveries: every delivery the platform's delivery log holds for the period (the same file again included); rows provided are rows " +
                "accepted; the quarantine rate is quarantined rows over rows read. On time: each update deadline of the period, by the resource's " +
                "deadline class (real time, within 3 days, quarterly, custom), met or not; deadlines on days off move to the next working day. " +
                "Mismatch reports: those raised against the agency in the period; days to resolve are working days; late means past the 3-working-day " +
                "verification deadline. Use: other agencies' allowed data requests in the audit trail; a query over several agencies' data counts for each."))}</p>
            <p class="note">{E(T("生成时间", "Generated"))}: {E(Minute(cards.AsOf))} · GovShare Lake</p>
            </body>
            </html>

            """);
        return html.ToString();
    }

    private static string[] Deliveries(DeliveryFigures d) =>
        [N(d.Deliveries), N(d.Committed), N(d.Unchanged), N(d.Refused), N(d.Failed), N(d.RowsRead), N(d.RowsProvided), N(d.RowsQuarantined), R(d.QuarantineRate)];

    private static string[] Deadlines(DeadlineFigures d) => [N(d.Deadlines), N(d.Met), N(d.Missed), R(d.OnTimeRate)];

    private static string[] Mismatches(MismatchFigures m) =>
        [N(m.Reported), N(m.Resolved), N(m.Open), N(m.Overdue), R(m.MedianWorkingDaysToResolve), N(m.Withdrawn)];

    private static string[] Use(UseFigures u) => [N(u.Agencies), N(u.Requests), N(u.Queries), N(u.Lookups), N(u.Exports), N(u.RowsServed)];

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string R(double? value) => value?.ToString("0.######", CultureInfo.InvariantCulture) ?? "";

    private static string Percent(double? rate) => rate is { } value ? (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";

    private static string Day(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Minute(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static void Row(StringBuilder text, params string?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(Field(values[i]));
        }

        text.Append("\r\n");
    }

    // Quoted when needed; free text (a stated purpose) that a spreadsheet would run as a formula is prefixed with '.
    private static string Field(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
