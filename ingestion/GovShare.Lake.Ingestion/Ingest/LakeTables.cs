using GovShare.Lake.Catalogue;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>The provider table of a catalogue entry (<c>src/&lt;dataset id&gt;</c>): the attributes the entry
/// maps, plus provenance and record status; columns mapped by a later revision are added to it.</summary>
public static class ProviderTables
{
    /// <summary>Opens the entry's provider table, creating it (or adding newly mapped attributes) as needed.</summary>
    public static DeltaTable OpenOrCreate(LakeLayout layout, CatalogueEntry entry, TimeProvider clock)
    {
        var path = layout.ProviderTable(entry.Id);
        var schema = entry.Table.ProviderSchema(entry.Fields.Select(f => f.Target));
        if (!DeltaTable.Exists(path))
        {
            try
            {
                return DeltaTable.Create(path, schema, keyColumns: [entry.Table.Key], name: $"src.{entry.Id}",
                    description: $"{entry.Name.Zh} / {entry.Name.En} ({entry.Agency.Code} → {entry.Target})", clock: clock);
            }
            catch (LakeException ex) when (ex.Kind == LakeErrorKind.Conflict)
            {
                // Another process created it first: use theirs.
            }
        }

        var table = DeltaTable.Open(path);
        var existing = table.Snapshot().Schema;
        var missing = schema.Fields.Where(f => existing.Find(f.Name!) is null).Select(f => f with { Nullable = true }).ToList();
        if (missing.Count > 0)
        {
            table.AddColumns(missing, new CommitOptions { Clock = clock });
        }

        return table;
    }
}

/// <summary>The quarantine table of a dataset (<c>quarantine/&lt;dataset id&gt;</c>): every rejected row with
/// its batch, source row and line, the raw row, the field, the reason code and the message.</summary>
public static class QuarantineTables
{
    /// <summary>The schema of every quarantine table.</summary>
    public static DeltaSchema Schema { get; } = new(
    [
        new DeltaField("batch_id", "string", Nullable: false),
        new DeltaField("dataset_id", "string", Nullable: false),
        new DeltaField("source_file", "string"),
        new DeltaField("source_row", "long", Nullable: false),
        new DeltaField("source_line", "long"),
        new DeltaField("raw", "string"),
        new DeltaField("field", "string"),
        new DeltaField("reason", "string", Nullable: false),
        new DeltaField("message", "string"),
        new DeltaField("quarantined_at", "timestamp", Nullable: false),
    ]);

    /// <summary>Opens the dataset's quarantine table, creating it when absent.</summary>
    public static DeltaTable OpenOrCreate(LakeLayout layout, string datasetId, TimeProvider clock)
    {
        var path = layout.QuarantineTable(datasetId);
        if (!DeltaTable.Exists(path))
        {
            try
            {
                return DeltaTable.Create(path, Schema, keyColumns: ["batch_id", "source_row"], name: $"quarantine.{datasetId}",
                    description: $"Rows of {datasetId} deliveries that failed the checks", clock: clock);
            }
            catch (LakeException ex) when (ex.Kind == LakeErrorKind.Conflict)
            {
                // Created by another process meanwhile.
            }
        }

        return DeltaTable.Open(path);
    }

    /// <summary>The SQL of the quarantined rows of committed batches only: rows of a batch whose provider
    /// commit never happened (the process died between the two commits) are not part of any delivery.
    /// Null when the dataset has no quarantine table.</summary>
    public static string? VisibleQuery(LakeLayout layout, string datasetId)
    {
        var path = layout.QuarantineTable(datasetId);
        var provider = layout.ProviderTable(datasetId);
        if (!DeltaTable.Exists(path))
        {
            return null;
        }

        var committed = DeltaTable.Exists(provider)
            ? DeltaTable.Open(provider).Snapshot().Transactions.Keys
                .Where(k => k.StartsWith(DeliveryIngestor.TxnPrefix, StringComparison.Ordinal))
                .Select(k => LakeDuckDb.Literal(k[DeliveryIngestor.TxnPrefix.Length..]))
                .ToList()
            : [];
        var filter = committed.Count == 0 ? "false" : $"batch_id IN ({string.Join(", ", committed)})";
        return $"SELECT * FROM ({DeltaTable.Open(path).Snapshot().ToDuckDbQuery()}) q WHERE {filter}";
    }
}
