using System.Globalization;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

// Usage: GovShare.Lake.CrashWriter TABLE BATCHES ROWS_PER_BATCH
// Batch b (1-based) holds ids b * 1_000_000 + 0 .. ROWS-1 and commits with txn ("crash-writer", b),
// so a batch that is run again after a kill is applied once.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: GovShare.Lake.CrashWriter TABLE BATCHES ROWS_PER_BATCH");
    return 2;
}

var path = args[0];
var batches = int.Parse(args[1], CultureInfo.InvariantCulture);
var rows = int.Parse(args[2], CultureInfo.InvariantCulture);
var table = DeltaTable.Exists(path)
    ? DeltaTable.Open(path)
    : DeltaTable.Create(path, new DeltaSchema([new DeltaField("id", "long", Nullable: false), new DeltaField("batch", "integer"), new DeltaField("payload", "string")]), keyColumns: ["id"]);
using var duck = LakeDuckDb.OpenInMemory();
for (var batch = 1; batch <= batches; batch++)
{
    var result = table.Append(
        duck,
        $"SELECT {batch}::BIGINT * 1000000 + range AS id, {batch} AS batch, repeat('x', 200) || range AS payload FROM range({rows})",
        new CommitOptions { Transaction = new TxnAction("crash-writer", batch), BatchId = $"batch-{batch}" });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {batch} version {result.Version} {(result.AlreadyApplied ? "skipped" : "committed")}"));
}

return 0;
