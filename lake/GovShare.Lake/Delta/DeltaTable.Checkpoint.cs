using System.Text;
using System.Text.Json.Nodes;
using GovShare.Lake.Engine;

namespace GovShare.Lake.Delta;

public sealed partial class DeltaTable
{
    private const string CheckpointColumns =
        "columns = {" +
        "txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', " +
        "add: 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))', " +
        "remove: 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)', " +
        "metaData: 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)', " +
        "protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)'}";

    /// <summary>Writes a Parquet checkpoint of a version (protocol, metadata, transactions, live files and the
    /// tombstones of files removed within the default retention, one action per row, in the protocol's
    /// checkpoint schema) and points <c>_last_checkpoint</c> at it.</summary>
    public void WriteCheckpoint(long version, TimeProvider? clock = null)
    {
        var tombstoneCutoff = ((clock ?? TimeProvider.System).GetUtcNow() - DefaultRetention).ToUnixTimeMilliseconds();
        var snapshot = Snapshot(version);
        var actions = new List<DeltaAction>
        {
            new() { Protocol = snapshot.Protocol },
            new() { Metadata = snapshot.Metadata },
        };
        actions.AddRange(snapshot.Transactions.Select(t => new DeltaAction { Txn = new TxnAction(t.Key, t.Value) }));
        actions.AddRange(snapshot.Files.Values.Select(add => new DeltaAction { Add = add with { DataChange = false } }));
        actions.AddRange(snapshot.Tombstones.Values
            .Where(remove => (remove.DeletionTimestamp ?? long.MaxValue) >= tombstoneCutoff)
            .Select(remove => new DeltaAction { Remove = remove with { DataChange = false } }));

        var scratch = System.IO.Path.Combine(_log.LogPath, $".checkpoint-{Guid.NewGuid():N}");
        var json = scratch + ".json";
        var parquet = scratch + ".parquet";
        try
        {
            File.WriteAllLines(json, actions.Select(DeltaJson.ToLine), new UTF8Encoding(false));
            using (var connection = LakeDuckDb.OpenShared())
            {
                LakeDuckDb.Execute(connection,
                    $"COPY (SELECT txn, add, remove, metaData, protocol FROM read_json({LakeDuckDb.Literal(json)}, format = 'newline_delimited', {CheckpointColumns})) " +
                    $"TO {LakeDuckDb.Literal(parquet)} (FORMAT parquet)");
            }

            using (var written = new FileStream(parquet, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true); // on disk before it is named a checkpoint
            }

            File.Move(parquet, _log.CheckpointPath(version), overwrite: true);
            var last = new JsonObject { ["version"] = version, ["size"] = actions.Count };
            File.WriteAllText(scratch + ".last", last.ToJsonString());
            File.Move(scratch + ".last", _log.LastCheckpointPath, overwrite: true);
        }
        finally
        {
            File.Delete(json);
            File.Delete(parquet);
            File.Delete(scratch + ".last");
        }
    }

    /// <summary>A checkpoint after every <see cref="CheckpointInterval"/>th commit. The commit is durable
    /// already: a checkpoint that cannot be written only makes later reads replay more JSON.</summary>
    private void TryCheckpoint(long version)
    {
        if (version % CheckpointInterval != 0)
        {
            return;
        }

        try
        {
            WriteCheckpoint(version);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LakeException or DuckDB.NET.Data.DuckDBException)
        {
            // Readers fall back to the previous checkpoint and the JSON commits.
        }
    }
}
