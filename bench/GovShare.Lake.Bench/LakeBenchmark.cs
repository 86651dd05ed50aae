using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using DuckDB.NET.Data;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Bench;

/// <summary>The Delta table's commit latency, merge and read of the latest version, each against DuckDB
/// doing the same raw work (Parquet in, Parquet out, no log) on the same data in the same run.</summary>
internal static class LakeBenchmark
{
    public const string Title = "Delta lake: commit, merge, read latest";

    private const int Commits = 30;
    private const int CommitRows = 1_000;
    private const double UpdateShare = 0.7;
    private const double MergeGoal = 1.5;
    private const double ReadGoal = 1.1;
    private const string Batch = "batch";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static (IReadOnlyList<BenchResult> Results, string Notes) Run(
        string work, int persons, int batch, int runs, TextWriter progress, CancellationToken cancellationToken)
    {
        var memory = new MemoryPhases();
        var loadAtStart = BenchStats.LoadAverage();
        var commits = MeasureCommits(work, progress);
        cancellationToken.ThrowIfCancellationRequested();

        var load = Load(work, persons, progress);
        cancellationToken.ThrowIfCancellationRequested();

        var updates = (long)Math.Round(batch * UpdateShare);
        var inserts = batch - updates;
        var merge = MeasureMerge(work, load, persons, updates, inserts, runs, memory, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        var read = MeasureRead(merge.Table, persons + inserts, Math.Max(3, runs), progress);
        var peak = memory.Overall();
        var loadAtEnd = BenchStats.LoadAverage();

        var oursP50 = BenchStats.Percentile(commits.OursMs, 0.50);
        var duckP50 = BenchStats.Percentile(commits.DuckDbMs, 0.50);
        var oursP99 = BenchStats.Percentile(commits.OursMs, 0.99);
        var duckP99 = BenchStats.Percentile(commits.DuckDbMs, 0.99);
        var mergeRatio = merge.Seconds / merge.DuckDbSeconds;
        var readRatio = read.Seconds / read.DuckDbSeconds;
        IReadOnlyList<BenchResult> results =
        [
            new BenchResult(Inv($"commit latency p50 (append {CommitRows:N0} rows)"), oursP50, "ms", duckP50,
                "none set; ratio reported", null, Inv($"median of {Commits} commits to a fresh table")),
            new BenchResult(Inv($"commit latency p99 (append {CommitRows:N0} rows)"), oursP99, "ms", duckP99,
                "none set; ratio reported", null,
                Inv($"p99 of {Commits} = the slowest; checkpoint commits (v10, v20, v30) median {Ms(Median(commits.CheckpointMs))}")),
            new BenchResult(Inv($"merge {batch:N0} rows into {persons:N0} persons"), merge.Seconds, "s", merge.DuckDbSeconds,
                Inv($"≤ {MergeGoal:0.0}× DuckDB"), mergeRatio <= MergeGoal,
                (runs > 1 ? Inv($"median of {runs} (run ratios {string.Join(", ", merge.RunRatios.Select(r => r.ToString("0.00", Invariant)))}); ") : string.Empty) +
                Inv($"rewrote {merge.FilesRemoved} of {load.Files} files; peak RSS {ProcessMemory.Format(merge.PeakKiB)} vs DuckDB {ProcessMemory.Format(merge.DuckDbPeakKiB)}")),
            new BenchResult(Inv($"read latest: full-scan `GROUP BY` over {persons + inserts:N0} rows"), read.Seconds * 1000, "ms", read.DuckDbSeconds * 1000,
                Inv($"≤ {ReadGoal:0.0}× DuckDB"), readRatio <= ReadGoal,
                Inv($"median of {read.Runs}; log replay {Ms(read.SnapshotSeconds * 1000)} of it")),
        ];

        var notes = new StringBuilder();
        notes.AppendLine(Invariant,
            $"Data: {persons:N0} persons with 7 columns (`id_number` string key, `name`, `sex`, `birth_date` date, `household_division`, " +
            $"`address`, `status`), generated in DuckDB from `range()` (18-digit keys `printf('%018d', 2 i)`, Chinese names, in-use county codes " +
            $"from the embedded division list, street addresses) and loaded with one `Append` in {QueryLog.Seconds(load.Seconds)} " +
            $"({load.Files} zstd Parquet files, {Mb(load.Bytes)}; {QueryLog.Describe(load.Profile)}). " +
            $"Batch: {batch:N0} rows, {updates:N0} updates of existing persons spread evenly over the whole key range and {inserts:N0} new persons " +
            $"with keys interleaved between them, generated once into a Parquet file and loaded into a temporary table `{Batch}` on each side.");
        notes.AppendLine();
        notes.AppendLine(Invariant,
            $"**Commit latency.** Ours: `DeltaTable.Append(connection, \"SELECT * EXCLUDE (n) FROM commit_rows WHERE n = i\")`, {CommitRows:N0} rows " +
            $"from a temporary table generated beforehand, {Commits} times to a fresh " +
            $"table (versions 1–{Commits}; 10, 20 and 30 also write a Parquet checkpoint), each time: replay the log, `COPY` the rows to zstd Parquet in " +
            $"a staging folder, read the new file back for its statistics, move it into the table, write the commit JSON with fsync and rename it into " +
            $"place (put-if-absent). DuckDB: `COPY (same query) TO 'x.parquet' (FORMAT parquet, COMPRESSION zstd)` {Commits} times, no log. Both after " +
            $"one warm-up on the same connection. p50 {Ms(oursP50)} vs {Ms(duckP50)} ({oursP50 / duckP50:0.0}×), p99 {Ms(oursP99)} vs {Ms(duckP99)}. " +
            $"Where the time goes (medians, DuckDB's query log): a commit before the first checkpoint (v1–9): {Steps(commits.EarlySplit)}; " +
            $"an ordinary commit after it (v11–19, v21–29): {Steps(commits.LateSplit)}; a checkpoint commit (v10, v20, v30): {Steps(commits.CheckpointSplit)}. " +
            $"`Snapshot()` of the finished 30-version table alone takes {Ms(commits.SnapshotMs)}; a checkpoint read opens a connection to the " +
            $"process's shared DuckDB (`LakeDuckDb.OpenShared()`, {Ms(commits.OpenDuckDbMs)}) rather than a new database (about 20 ms).");
        notes.AppendLine();
        notes.AppendLine(Invariant,
            $"**Merge.** Ours: `table.Merge(connection, \"SELECT * FROM {Batch}\", [\"id_number\"])` (copy-on-write). The batch touches every file, " +
            $"so both sides rewrite the whole table. DuckDB: `COPY (SELECT * FROM read_parquet([the {load.Files} live files]) t ANTI JOIN {Batch} USING (id_number) " +
            $"UNION ALL SELECT * FROM {Batch}) TO 'dir' (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES '128MB')` over the same files" +
            $"{(runs > 1 ? Inv($"; each of the {runs} runs merges into a fresh copy of the loaded table") : string.Empty)}. " +
            $"Both results are checked: {persons + inserts:N0} rows and the same content checksum; ours reports {inserts:N0} inserted and {updates:N0} updated. " +
            $"Output: ours {merge.FilesAdded} files, {Mb(merge.BytesAfter)}; DuckDB {merge.DuckDbFiles} files, {Mb(merge.DuckDbBytes)} (the lake also caps " +
            $"the row groups per file, the baseline only the bytes). " +
            $"{QueryLog.Seconds(merge.Seconds)} vs {QueryLog.Seconds(merge.DuckDbSeconds)}: {MergeVerdict(merge, mergeRatio)}");
        notes.AppendLine();
        notes.AppendLine(Invariant,
            $"**Read latest.** Ours: `table.Snapshot()` (log replay) and `SELECT household_division, count(*), min(birth_date) FROM (snapshot.ToDuckDbQuery()) t GROUP BY 1`, " +
            $"all rows fetched. DuckDB: the same SQL over `read_parquet([the {read.Files} live files])` ({Mb(read.Bytes)}, the merged version). " +
            $"Each side on its own connection, one warm-up, then {read.Runs} runs alternating; medians {Ms(read.Seconds * 1000)} vs " +
            $"{Ms(read.DuckDbSeconds * 1000)}: {ReadVerdict(read, readRatio)}");
        notes.AppendLine();
        notes.AppendLine(Invariant,
            $"Peak RSS of the whole bench process (.NET and DuckDB in one process): {ProcessMemory.Format(peak)}; the merge figures are the peaks " +
            $"during each side's merge alone (reset through `/proc/self/clear_refs`). DuckDB runs in-memory with its default settings " +
            $"({Environment.ProcessorCount} threads) on both sides; the lake was built from {LakeBuild()}. Load average (1 min) at the start {loadAtStart} and at the end {loadAtEnd}; this run " +
            $"alone accounts for up to {Environment.ProcessorCount}, so more means other work shared the cores and single runs are noisier than two decimals suggest. Rerun: `dotnet run -c Release --project bench/GovShare.Lake.Bench -- lake " +
            $"--persons {persons} --batch {batch} --markdown docs/benchmarks.md`.");
        return (results, notes.ToString().TrimEnd());
    }

    private static string MergeVerdict(MergeFigures merge, double ratio)
    {
        var rewrite = merge.Profile.Where(s => s.Name == RewriteStep).Sum(s => s.Seconds);
        var others = merge.Profile.Where(s => s.Name != RewriteStep).OrderByDescending(s => s.Seconds).ToList();
        var split = string.Create(Invariant,
            $"where ours spends its time (DuckDB's query log): the rewrite `COPY` that DuckDB also does {QueryLog.Seconds(rewrite)}, " +
            $"then {QueryLog.Describe(others)}.");
        return ratio <= MergeGoal
            ? string.Create(Invariant, $"{ratio:0.00}×, within the goal of ≤ {MergeGoal:0.0}×; {split}")
            : string.Create(Invariant,
                $"**missed**: {ratio:0.00}× against ≤ {MergeGoal:0.0}×, {QueryLog.Seconds(merge.Seconds - (MergeGoal * merge.DuckDbSeconds))} over the goal. " +
                $"Profile, {split} Everything but the rewrite is work the baseline does not do: extra scans of the table to find the affected files " +
                $"and count matches before writing, and a second full read of every new file for its statistics.");
    }

    private static string ReadVerdict(ReadFigures read, double ratio)
    {
        var overhead = (read.Seconds - read.DuckDbSeconds) * 1000;
        var text = string.Create(Invariant,
            $"{ratio:0.00}× ({(overhead >= 0 ? "+" : "−")}{Ms(Math.Abs(overhead))}; log replay {Ms(read.SnapshotSeconds * 1000)}, the query alone " +
            $"{Ms(read.QuerySeconds * 1000)})");
        return ratio <= ReadGoal
            ? text + string.Create(Invariant, $", within the goal of ≤ {ReadGoal:0.0}×.")
            : text + string.Create(Invariant,
                $", **missed** (goal ≤ {ReadGoal:0.0}×) by {Ms(Math.Max(0, (read.Seconds - (ReadGoal * read.DuckDbSeconds)) * 1000))}: of the difference, " +
                $"{Ms(read.SnapshotSeconds * 1000)} is log replay and {Ms((read.QuerySeconds - read.DuckDbSeconds) * 1000)} the query over " +
                $"`ToDuckDbQuery()` (casts to the schema types, `union_by_name`, a file-name column) instead of plain `read_parquet`.");
    }

    // Commit latency ---------------------------------------------------------------------------------

    private static CommitFigures MeasureCommits(string work, TextWriter progress)
    {
        progress.WriteLine($"commit latency: {Commits} appends of {CommitRows:N0} rows, then {Commits} DuckDB COPYs…");

        // The rows are generated once, up front, so that both sides time writing them, not making them.
        var rowsFile = Path.Combine(work, "commit-rows.parquet");
        using (var connection = LakeDuckDb.OpenInMemory())
        {
            LakeDuckDb.Execute(connection,
                $"COPY (SELECT CAST(id_number AS BIGINT) // {CommitRows} AS n, * FROM ({PersonsData.Range(0, (Commits + 1) * CommitRows)}) r) " +
                $"TO {LakeDuckDb.Literal(rowsFile)} (FORMAT parquet)");
        }

        static DuckDBConnection Open(string rowsFile)
        {
            var connection = LakeDuckDb.OpenInMemory();
            LakeDuckDb.Execute(connection, $"CREATE TEMP TABLE commit_rows AS SELECT * FROM read_parquet({LakeDuckDb.Literal(rowsFile)})");
            QueryLog.Enable(connection);
            return connection;
        }

        static string Rows(int n) => string.Create(Invariant, $"SELECT * EXCLUDE (n) FROM commit_rows WHERE n = {n}");

        var oursMs = new double[Commits];
        var windows = new (long Start, long End)[Commits];
        List<LoggedQuery> log;
        using (var connection = Open(rowsFile))
        {
            var warmup = DeltaTable.Create(Path.Combine(work, "commit-warmup"), PersonsData.Schema, keyColumns: [PersonsData.KeyColumn]);
            warmup.Append(connection, Rows(Commits));
            var table = DeltaTable.Create(Path.Combine(work, "commits"), PersonsData.Schema, keyColumns: [PersonsData.KeyColumn]);
            for (var i = 0; i < Commits; i++)
            {
                var query = Rows(i);
                var start = QueryLog.Now();
                var watch = Stopwatch.StartNew();
                table.Append(connection, query);
                oursMs[i] = watch.Elapsed.TotalMilliseconds;
                windows[i] = (start, QueryLog.Now());
            }

            log = QueryLog.Read(connection);
        }

        // Attribution of the log replay: the whole Snapshot() of the 30-version table (a checkpoint and
        // commits after it), and opening a connection to the shared DuckDB, which each checkpoint read does.
        var commitsTable = DeltaTable.Open(Path.Combine(work, "commits"));
        var snapshotMs = Median(Enumerable.Range(0, 9).Select(_ => Time(() => commitsTable.Snapshot())).ToArray());
        var openMs = Median(Enumerable.Range(0, 9).Select(_ => Time(() => LakeDuckDb.OpenShared().Dispose())).ToArray());

        var duckMs = new double[Commits];
        var folder = Path.Combine(work, "commits-duckdb");
        Directory.CreateDirectory(folder);
        using (var connection = Open(rowsFile))
        {
            string Copy(int n) =>
                $"COPY ({Rows(n)}) TO {LakeDuckDb.Literal(Path.Combine(folder, string.Create(Invariant, $"x-{n}.parquet")))} (FORMAT parquet, COMPRESSION zstd)";
            LakeDuckDb.Execute(connection, Copy(Commits));
            for (var i = 0; i < Commits; i++)
            {
                var sql = Copy(i);
                var watch = Stopwatch.StartNew();
                LakeDuckDb.Execute(connection, sql);
                duckMs[i] = watch.Elapsed.TotalMilliseconds;
            }
        }

        // Commit i creates version i + 1; every tenth version is followed by a checkpoint, and from the
        // first checkpoint on, replaying the log starts by reading it.
        var splits = windows.Select(w => QueryLog.Split(log, w.Start, w.End, AppendStep)).ToList();
        bool IsCheckpoint(int i) => (i + 1) % DeltaTable.CheckpointInterval == 0;
        bool BeforeFirstCheckpoint(int i) => i + 1 < DeltaTable.CheckpointInterval;
        var figures = new CommitFigures(
            oursMs,
            duckMs,
            oursMs.Where((_, i) => IsCheckpoint(i)).ToArray(),
            MedianSplit(splits.Where((_, i) => BeforeFirstCheckpoint(i)).ToList()),
            MedianSplit(splits.Where((_, i) => !BeforeFirstCheckpoint(i) && !IsCheckpoint(i)).ToList()),
            MedianSplit(splits.Where((_, i) => IsCheckpoint(i)).ToList()),
            snapshotMs,
            openMs);
        progress.WriteLine($"  p50 {Ms(BenchStats.Percentile(oursMs, 0.5))} vs DuckDB {Ms(BenchStats.Percentile(duckMs, 0.5))}; p99 {Ms(BenchStats.Percentile(oursMs, 0.99))} vs {Ms(BenchStats.Percentile(duckMs, 0.99))}");
        progress.WriteLine($"  ours per commit (ms): {string.Join(" ", oursMs.Select(ms => ms.ToString("0", Invariant)))}");
        return figures;
    }

    private static string AppendStep(string sql) =>
        sql.StartsWith("COPY", StringComparison.Ordinal) ? "`COPY` to Parquet"
        : sql.StartsWith("SELECT count(*), count(*) - count(", StringComparison.Ordinal) ? "statistics query, then commit (fsync) and any checkpoint"
        : "other";

    private static List<ProfileStep> MedianSplit(List<List<ProfileStep>> splits) =>
        splits.Count == 0
            ? []
            : splits[0].Select(step => step with
            {
                Seconds = Median(splits.Select(s => s.FirstOrDefault(x => x.Name == step.Name)?.Seconds ?? 0).ToArray()),
                Count = 1,
            }).ToList();

    // Load and merge ---------------------------------------------------------------------------------

    private static LoadFigures Load(string work, int persons, TextWriter progress)
    {
        progress.WriteLine($"generating and appending {persons:N0} persons (one Append)…");
        var path = Path.Combine(work, "persons");
        var table = DeltaTable.Create(path, PersonsData.Schema, keyColumns: [PersonsData.KeyColumn]);
        using var connection = LakeDuckDb.OpenInMemory();
        QueryLog.Enable(connection);
        using var heartbeat = Heartbeat(progress, "loading");
        var start = QueryLog.Now();
        var watch = Stopwatch.StartNew();
        table.Append(connection, PersonsData.Population(persons));
        var seconds = watch.Elapsed.TotalSeconds;
        var profile = QueryLog.Split(QueryLog.Read(connection), start, QueryLog.Now(), sql =>
            sql.StartsWith("COPY", StringComparison.Ordinal) ? "generate + `COPY`"
            : sql.StartsWith("SELECT count(*), count(*) - count(", StringComparison.Ordinal) ? "statistics"
            : "other");
        var snapshot = table.Snapshot();
        var figures = new LoadFigures(path, seconds, snapshot.Files.Count, snapshot.Files.Values.Sum(f => f.Size), profile);
        progress.WriteLine($"  {QueryLog.Seconds(seconds)}, {figures.Files} files, {Mb(figures.Bytes)}");
        return figures;
    }

    private static MergeFigures MeasureMerge(
        string work, LoadFigures load, long persons, long updates, long inserts, int runs, MemoryPhases memory, TextWriter progress,
        CancellationToken cancellationToken)
    {
        var batchFile = Path.Combine(work, "batch.parquet");
        progress.WriteLine($"generating the batch: {updates:N0} updates, {inserts:N0} new persons…");
        using (var connection = LakeDuckDb.OpenInMemory())
        {
            LakeDuckDb.Execute(connection, $"COPY ({PersonsData.Batch(persons, updates, inserts)}) TO {LakeDuckDb.Literal(batchFile)} (FORMAT parquet, COMPRESSION zstd)");
        }

        var loaded = DeltaTable.Open(load.Path).Snapshot();
        var liveFiles = "[" + string.Join(", ", loaded.Files.Values.Select(f => LakeDuckDb.Literal(loaded.FullPath(f)))) + "]";
        var all = new List<MergeFigures>();
        for (var run = 0; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tablePath = load.Path;
            if (runs > 1)
            {
                tablePath = Path.Combine(work, string.Create(Invariant, $"persons-run{run}"));
                CopyFolder(load.Path, tablePath);
            }

            var duckFolder = Path.Combine(work, string.Create(Invariant, $"merge-duckdb-{run}"));
            progress.WriteLine($"merge run {run + 1}/{runs}: DuckDB baseline…");
            double duckSeconds;
            memory.Begin();
            using (var connection = OpenWithBatch(batchFile))
            using (Heartbeat(progress, "DuckDB rewrite"))
            {
                var watch = Stopwatch.StartNew();
                LakeDuckDb.Execute(connection,
                    $"COPY (SELECT * FROM read_parquet({liveFiles}) t ANTI JOIN {Batch} USING ({PersonsData.KeyColumn}) UNION ALL SELECT * FROM {Batch}) " +
                    $"TO {LakeDuckDb.Literal(duckFolder)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES '128MB')");
                duckSeconds = watch.Elapsed.TotalSeconds;
            }

            var duckPeak = memory.End();
            progress.WriteLine($"  {QueryLog.Seconds(duckSeconds)}; ours…");

            var table = DeltaTable.Open(tablePath);
            double seconds;
            CommitResult result;
            List<ProfileStep> profile;
            memory.Begin();
            using (var connection = OpenWithBatch(batchFile))
            using (Heartbeat(progress, "merging"))
            {
                QueryLog.Enable(connection);
                var start = QueryLog.Now();
                var watch = Stopwatch.StartNew();
                result = table.Merge(connection, $"SELECT * FROM {Batch}", [PersonsData.KeyColumn]);
                seconds = watch.Elapsed.TotalSeconds;
                profile = QueryLog.Split(QueryLog.Read(connection), start, QueryLog.Now(), MergeStep);
            }

            var peak = memory.End();
            progress.WriteLine($"  {QueryLog.Seconds(seconds)} ({seconds / duckSeconds:0.00}×): {QueryLog.Describe(profile)}");

            progress.WriteLine("  checking both results…");
            var expected = persons + inserts;
            if (result.RowsInserted != inserts || result.RowsUpdated != updates)
            {
                throw new InvalidOperationException(
                    $"the merge reports {result.RowsInserted:N0} inserted and {result.RowsUpdated:N0} updated rows; expected {inserts:N0} and {updates:N0}.");
            }

            var snapshot = table.Snapshot();
            var duckParquet = Directory.GetFiles(duckFolder, "*.parquet");
            using (var connection = LakeDuckDb.OpenInMemory())
            {
                var ours = Checksum(connection, snapshot.ToDuckDbQuery());
                var theirs = Checksum(connection, $"SELECT * FROM read_parquet({LakeDuckDb.Literal(Path.Combine(duckFolder, "*.parquet"))})");
                if (ours.Rows != expected || theirs.Rows != expected || ours.Sum != theirs.Sum)
                {
                    throw new InvalidOperationException(
                        $"the merge results differ: expected {expected:N0} rows; ours has {ours.Rows:N0} (checksum {ours.Sum}), DuckDB's {theirs.Rows:N0} (checksum {theirs.Sum}).");
                }
            }

            all.Add(new MergeFigures(
                table, seconds, duckSeconds, peak, duckPeak, profile, result.FilesAdded, result.FilesRemoved,
                snapshot.Files.Values.Sum(f => f.Size), duckParquet.Length, duckParquet.Sum(f => new FileInfo(f).Length)));
        }

        // The run with the median time is reported whole, so its profile adds up to its figure.
        var median = all.OrderBy(m => m.Seconds).ElementAt(all.Count / 2);
        return median with { DuckDbSeconds = Median(all.Select(m => m.DuckDbSeconds).ToArray()), RunRatios = all.Select(m => m.Seconds / m.DuckDbSeconds).ToArray() };
    }

    private const string RewriteStep = "rewrite `COPY` (anti join + union → zstd Parquet)";

    internal static string MergeStep(string sql) =>
        sql.StartsWith("CREATE TEMP TABLE", StringComparison.Ordinal) ? "copy the source into a temporary table"
        : sql.Contains("(DESCRIBE", StringComparison.Ordinal) ? "check the source's columns"
        : sql.Contains("HAVING count(*) > 1", StringComparison.Ordinal) ? "duplicate-key check"
        : sql.StartsWith("SELECT count(*), count(*) - count(", StringComparison.Ordinal) ? "statistics of each new file (a full read), then the commit"
        : sql.Contains("CAST(min(", StringComparison.Ordinal) ? "source key range"
        : sql.StartsWith("SELECT DISTINCT", StringComparison.Ordinal) ? "find the files holding source keys (semi join over the table)"
        : sql.StartsWith("SELECT count(*) FROM (SELECT 1 FROM", StringComparison.Ordinal) ? "count matches, deletions and upserts (joins over the table)"
        : sql.StartsWith("COPY", StringComparison.Ordinal) ? RewriteStep
        : sql.StartsWith("DROP TABLE", StringComparison.Ordinal) ? "drop the temporary table"
        : "other";

    private static DuckDBConnection OpenWithBatch(string batchFile)
    {
        var connection = LakeDuckDb.OpenInMemory();
        LakeDuckDb.Execute(connection, $"CREATE TEMP TABLE {Batch} AS SELECT * FROM read_parquet({LakeDuckDb.Literal(batchFile)})");
        return connection;
    }

    private static (long Rows, string Sum) Checksum(DuckDBConnection connection, string query)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), CAST(sum(hash({PersonsData.ColumnList})) AS VARCHAR) FROM ({query}) t";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (Convert.ToInt64(reader.GetValue(0), Invariant), reader.IsDBNull(1) ? string.Empty : reader.GetString(1));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    // Read latest ------------------------------------------------------------------------------------

    private static ReadFigures MeasureRead(DeltaTable table, long expectedRows, int runs, TextWriter progress)
    {
        progress.WriteLine($"read latest: {runs} runs each…");
        static string Aggregate(string from) =>
            $"SELECT household_division, count(*) AS persons, min(birth_date) AS oldest FROM ({from}) t GROUP BY 1";
        var latest = table.Snapshot();
        var baselineSql = Aggregate($"SELECT * FROM read_parquet([{string.Join(", ", latest.Files.Values.Select(f => LakeDuckDb.Literal(latest.FullPath(f))))}])");

        using var ours = LakeDuckDb.OpenInMemory();
        using var duck = LakeDuckDb.OpenInMemory();
        (double Snapshot, double Query, long Rows) Ours()
        {
            var watch = Stopwatch.StartNew();
            var sql = Aggregate(table.Snapshot().ToDuckDbQuery());
            var snapshotSeconds = watch.Elapsed.TotalSeconds;
            var rows = Drain(ours, sql);
            return (snapshotSeconds, watch.Elapsed.TotalSeconds - snapshotSeconds, rows);
        }

        (double Seconds, long Rows) Duck()
        {
            var watch = Stopwatch.StartNew();
            var rows = Drain(duck, baselineSql);
            return (watch.Elapsed.TotalSeconds, rows);
        }

        var check = (Ours: Ours().Rows, Duck: Duck().Rows);
        if (check.Ours != expectedRows || check.Duck != expectedRows)
        {
            throw new InvalidOperationException($"the read counted {check.Ours:N0} rows (ours) and {check.Duck:N0} (DuckDB); expected {expectedRows:N0}.");
        }

        var oursRuns = new List<(double Snapshot, double Query)>();
        var duckRuns = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var (snapshotSeconds, querySeconds, _) = Ours();
            oursRuns.Add((snapshotSeconds, querySeconds));
            duckRuns.Add(Duck().Seconds);
        }

        var figures = new ReadFigures(
            Median(oursRuns.Select(r => r.Snapshot + r.Query).ToArray()),
            Median(duckRuns.ToArray()),
            Median(oursRuns.Select(r => r.Snapshot).ToArray()),
            Median(oursRuns.Select(r => r.Query).ToArray()),
            runs,
            latest.Files.Count,
            latest.Files.Values.Sum(f => f.Size));
        progress.WriteLine($"  {Ms(figures.Seconds * 1000)} vs DuckDB {Ms(figures.DuckDbSeconds * 1000)}");
        return figures;
    }

    /// <summary>Runs the aggregate, fetches every group and returns the rows it counted.</summary>
    private static long Drain(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        long rows = 0;
        while (reader.Read())
        {
            rows += Convert.ToInt64(reader.GetValue(1), Invariant);
            _ = reader.GetValue(0);
            _ = reader.GetValue(2);
        }

        return rows;
    }

    // Helpers ----------------------------------------------------------------------------------------

    private static Timer Heartbeat(TextWriter progress, string what)
    {
        var watch = Stopwatch.StartNew();
        return new Timer(_ => progress.WriteLine($"  … {what}, {watch.Elapsed.TotalSeconds:0} s"), null, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20));
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The lake assembly's version with the commit it was built from (the SDK stamps "+commit").</summary>
    private static string LakeBuild()
    {
        var version = typeof(DeltaTable).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "an unknown version";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : string.Concat(version.AsSpan(0, plus), " (commit ", version.AsSpan(plus + 1, Math.Min(7, version.Length - plus - 1)), ")");
    }

    private static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Ms(double milliseconds) => milliseconds >= 100
        ? milliseconds.ToString("N0", Invariant) + " ms"
        : milliseconds.ToString("0.0", Invariant) + " ms";

    private static string Mb(long bytes) => (bytes / 1e6).ToString("N0", Invariant) + " MB";

    private static string Steps(IEnumerable<ProfileStep> steps) =>
        string.Join(", ", steps.Where(s => s.Seconds > 0).Select(s => (s.Name == "before the first query" ? "log replay" : s.Name) + " " + Ms(s.Seconds * 1000)));

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>The peak resident memory of phases of the run, and of the whole run.</summary>
    private sealed class MemoryPhases
    {
        private long _overall;

        public void Begin()
        {
            _overall = Math.Max(_overall, ProcessMemory.PeakResidentKiB());
            ProcessMemory.ResetPeak();
        }

        public long End()
        {
            var peak = ProcessMemory.PeakResidentKiB();
            _overall = Math.Max(_overall, peak);
            return peak;
        }

        public long Overall() => Math.Max(_overall, ProcessMemory.PeakResidentKiB());
    }

    private sealed record CommitFigures(
        double[] OursMs, double[] DuckDbMs, double[] CheckpointMs, List<ProfileStep> EarlySplit, List<ProfileStep> LateSplit, List<ProfileStep> CheckpointSplit,
        double SnapshotMs, double OpenDuckDbMs);

    private sealed record LoadFigures(string Path, double Seconds, int Files, long Bytes, List<ProfileStep> Profile);

    private sealed record MergeFigures(
        DeltaTable Table, double Seconds, double DuckDbSeconds, long PeakKiB, long DuckDbPeakKiB, List<ProfileStep> Profile,
        int FilesAdded, int FilesRemoved, long BytesAfter, int DuckDbFiles, long DuckDbBytes)
    {
        public double[] RunRatios { get; init; } = [];
    }

    private sealed record ReadFigures(double Seconds, double DuckDbSeconds, double SnapshotSeconds, double QuerySeconds, int Runs, int Files, long Bytes);
}
