using System.Globalization;
using GovShare.Lake.Delta;
using GovShare.Lake.Divisions;
using GovShare.Lake.Engine;

namespace GovShare.Lake.BaseDatabases;

/// <summary>Seeds <c>geo.divisions</c> from the division-code history shipped with the platform.</summary>
public static class DivisionTable
{
    /// <summary>The agency code recorded as the provider of reference data.</summary>
    public const string ReferenceAgency = "reference";

    /// <summary>Creates the divisions table at <paramref name="path"/> (if it does not exist) and writes every
    /// code period, as one idempotent commit: seeding twice changes nothing.</summary>
    public static CommitResult Seed(string path, DivisionRegistry registry, TimeProvider? clock = null)
    {
        var table = DeltaTable.Exists(path)
            ? DeltaTable.Open(path)
            : DeltaTable.Create(path, BaseDatabaseCatalog.Divisions.ProviderSchema(), keyColumns: ["code", "valid_from"],
                name: "geo.divisions", description: "GB/T 2260 division codes with their history", clock: clock);
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        using var connection = LakeDuckDb.OpenShared();
        LakeDuckDb.Execute(connection,
            "CREATE TEMP TABLE divisions (code VARCHAR, name VARCHAR, level VARCHAR, province VARCHAR, prefecture VARCHAR, parent_code VARCHAR, " +
            "valid_from INTEGER, valid_to INTEGER, status VARCHAR, replacement_codes VARCHAR, source_row BIGINT)");
        using (var appender = connection.CreateAppender("divisions"))
        {
            long row = 0;
            foreach (var division in registry.All)
            {
                var parent = registry.Parent(division, division.Ended ?? division.Introduced);
                appender.CreateRow()
                    .AppendValue(division.Code)
                    .AppendValue(division.Name)
                    .AppendValue(division.Level.ToString().ToLowerInvariant())
                    .AppendValue(division.Province)
                    .AppendValue(division.Prefecture)
                    .AppendValue(parent?.Code)
                    .AppendValue(division.Introduced)
                    .AppendValue(division.Ended)
                    .AppendValue(division.Status switch { DivisionStatus.InUse => "in_use", DivisionStatus.Retired => "retired", _ => "changed" })
                    .AppendValue(division.Replacements.Count == 0 ? null : string.Join(";", division.Replacements.Select(r => r.Year is { } y ? $"{r.Code}[{y}]" : r.Code)))
                    .AppendValue(++row)
                    .EndRow();
            }
        }

        // The txn identifies the content, so that a corrected table with the same row count is still applied.
        var fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join("\n", registry.All.Select(d =>
                $"{d.Code},{d.Name},{d.Province},{d.Prefecture},{d.Level},{d.Status},{d.Introduced},{d.Ended},{string.Join(';', d.Replacements)}")))))[..16].ToLowerInvariant();
        var batch = $"division-codes@{fingerprint}";
        return table.Overwrite(connection,
            $"SELECT *, '{ReferenceAgency}' AS providing_agency, '{batch}' AS batch_id, " +
            $"TIMESTAMPTZ '{now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00' AS ingested_at, " +
            $"'{BaseTable.CurrentRecord}' AS record_status, CAST(NULL AS TIMESTAMPTZ) AS ended_at, CAST(NULL AS VARCHAR) AS ended_batch FROM divisions",
            new CommitOptions { BatchId = batch, Transaction = new TxnAction($"geo.divisions.seed.{fingerprint}", 1), Clock = clock ?? TimeProvider.System });
    }
}
