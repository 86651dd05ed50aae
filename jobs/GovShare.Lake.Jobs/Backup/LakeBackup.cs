using System.Globalization;
using System.Text.Json;
using GovShare.Lake.Delta;
using GovShare.Lake.Engine;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Backup;

/// <summary>One table's content at the version backed up: rows and an order-independent hash of every row.</summary>
/// <param name="Table">The table folder, relative to the lake (<c>src/psb.household</c>).</param>
/// <param name="Version">Its latest version.</param>
/// <param name="Rows">Rows at that version.</param>
/// <param name="ContentHash">XOR of DuckDB's hash of every row (equal for equal content, whatever the file layout).</param>
public sealed record TableFingerprint(string Table, long Version, long Rows, string ContentHash);

/// <summary>What a backup run wrote.</summary>
/// <param name="At">When.</param>
/// <param name="FilesCopied">Files new or changed since the last run.</param>
/// <param name="FilesUnchanged">Files the backup already had.</param>
/// <param name="BytesCopied">Their bytes.</param>
/// <param name="StoreCopy">The platform store's copy, relative to the backup folder.</param>
/// <param name="Tables">Each table's fingerprint at the time.</param>
public sealed record BackupManifest(DateTimeOffset At, int FilesCopied, int FilesUnchanged, long BytesCopied, string StoreCopy, IReadOnlyList<TableFingerprint> Tables);

/// <summary>A verification's outcome.</summary>
/// <param name="Ok">True when every table restored equals the manifest.</param>
/// <param name="Problems">What differs, table by table.</param>
/// <param name="Tables">The tables checked.</param>
public sealed record BackupVerification(bool Ok, IReadOnlyList<string> Problems, int Tables);

/// <summary>The off-site backup: an incremental copy of the lake folder's tables (data files and logs never change once
/// written, so only new ones are copied; a changed file — <c>_last_checkpoint</c>, the audit day file — is copied again),
/// the audit trail, keys, calendar and evidence, plus a consistent copy of the platform store per run. Verification
/// restores into a scratch folder and compares each table's latest version, row count and content hash with those
/// recorded at backup time.</summary>
public static class LakeBackup
{
    /// <summary>The folders of the lake folder that are backed up.</summary>
    public static IReadOnlyList<string> Folders { get; } = ["src", "reference", "audit", "keys", "calendar", "evidence"];

    /// <summary>The manifest of the latest run, in the backup folder.</summary>
    public const string ManifestFile = "backup-manifest.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Backs the lake up into <paramref name="target"/> (created when absent).</summary>
    public static BackupManifest Run(LakeLayout layout, IPlatformStore store, string target, TimeProvider clock, IProgress<string>? progress = null)
    {
        var root = Path.GetFullPath(target);
        if (IsInside(root, layout.Root) || IsInside(layout.Root, root))
        {
            throw new LakeException(LakeErrorKind.InvalidInput, $"the backup folder {root} and the lake folder {layout.Root} must not contain each other.");
        }

        // The tables' versions first: their files never change, so those versions are whole in the copy that follows
        // even if a delivery commits meanwhile (its newer version is copied too, and verification reads the recorded one).
        var now = clock.GetUtcNow();
        var fingerprints = Fingerprints(layout.Root);
        var lakeCopy = Path.Combine(root, "lake");
        var (copied, unchanged, bytes) = (0, 0, 0L);
        foreach (var folder in Folders.Select(f => Path.Combine(layout.Root, f)).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal)))
            {
                var relative = Path.GetRelativePath(layout.Root, file);
                var destination = Path.Combine(lakeCopy, relative);
                var source = new FileInfo(file);
                var existing = new FileInfo(destination);
                if (existing.Exists && existing.Length == source.Length && existing.LastWriteTimeUtc == source.LastWriteTimeUtc)
                {
                    unchanged++;
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                var partial = destination + ".part";
                File.Copy(file, partial, overwrite: true);
                File.SetLastWriteTimeUtc(partial, source.LastWriteTimeUtc);
                File.Move(partial, destination, overwrite: true);
                copied++;
                bytes += source.Length;
                if (copied % 500 == 0)
                {
                    progress?.Report(string.Create(CultureInfo.InvariantCulture, $"{copied:N0} files copied"));
                }
            }
        }

        var stores = Path.Combine(root, "store");
        Directory.CreateDirectory(stores);
        var storeName = $"platform-{ChinaTime.ToChina(now).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.duckdb";
        var storeCopy = Path.Combine(stores, storeName);
        File.Delete(storeCopy);
        store.CopyTo(storeCopy);
        progress?.Report("platform store copied");

        var manifest = new BackupManifest(now, copied, unchanged, bytes, Path.Combine("store", storeName), fingerprints);
        File.WriteAllText(Path.Combine(root, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        return manifest;
    }

    /// <summary>Restores the backup in <paramref name="backup"/> into <paramref name="target"/>, which must be empty or absent.</summary>
    public static BackupManifest Restore(string backup, string target)
    {
        var manifest = ReadManifest(backup);
        var root = Path.GetFullPath(target);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new LakeException(LakeErrorKind.Conflict, $"{root} is not empty: a backup is restored into an empty folder.");
        }

        var lakeCopy = Path.Combine(Path.GetFullPath(backup), "lake");
        foreach (var file in Directory.EnumerateFiles(lakeCopy, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".part", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(root, Path.GetRelativePath(lakeCopy, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        File.Copy(Path.Combine(Path.GetFullPath(backup), manifest.StoreCopy), Path.Combine(root, DuckDbPlatformStore.FileName));
        return manifest;
    }

    /// <summary>Restores into a scratch folder and compares every table with the manifest.</summary>
    public static BackupVerification Verify(string backup)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "govshare-restore-" + Guid.NewGuid().ToString("N"));
        try
        {
            var manifest = Restore(backup, scratch);
            var problems = new List<string>();
            using (var connection = LakeDuckDb.OpenInMemory())
            {
                foreach (var expected in manifest.Tables)
                {
                    var path = Path.Combine(scratch, expected.Table);
                    try
                    {
                        var actual = Fingerprint(connection, scratch, path, expected.Version);
                        if (actual != expected)
                        {
                            problems.Add($"{expected.Table}: backed up at version {expected.Version} with {expected.Rows:N0} rows (hash {expected.ContentHash}); " +
                                $"restored: {actual.Rows:N0} rows (hash {actual.ContentHash}).");
                        }
                    }
                    catch (Exception ex) when (ex is LakeException or DuckDB.NET.Data.DuckDBException or IOException)
                    {
                        problems.Add($"{expected.Table}: version {expected.Version} cannot be read from the restored copy: {ex.Message}");
                    }
                }
            }

            // The store copy opens (and migrates) like the live one.
            using (var connection = new DuckDB.NET.Data.DuckDBConnection($"DataSource={Path.Combine(scratch, DuckDbPlatformStore.FileName)}"))
            {
                connection.Open();
                if (Convert.ToInt64(LakeDuckDb.Scalar(connection, "SELECT count(*) FROM schema_migrations"), CultureInfo.InvariantCulture) == 0)
                {
                    problems.Add("platform store: the copy has no schema.");
                }
            }

            return new BackupVerification(problems.Count == 0, problems, manifest.Tables.Count);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>The manifest of a backup folder.</summary>
    public static BackupManifest ReadManifest(string backup)
    {
        var path = Path.Combine(Path.GetFullPath(backup), ManifestFile);
        if (!File.Exists(path))
        {
            throw new LakeException(LakeErrorKind.NotFound, $"{path} does not exist: {backup} holds no backup (run 'govshare backup run --to {backup}').");
        }

        return JsonSerializer.Deserialize<BackupManifest>(File.ReadAllText(path), Json)
            ?? throw new LakeException(LakeErrorKind.Corrupt, $"{path} holds no manifest.");
    }

    /// <summary>Every Delta table of a lake folder (<c>src/*</c>, <c>reference/*</c>) at its latest version, or at the
    /// version given for it.</summary>
    public static IReadOnlyList<TableFingerprint> Fingerprints(string lakeRoot, IReadOnlyDictionary<string, long>? versions = null)
    {
        var tables = new[] { "src", "reference" }.Select(f => Path.Combine(lakeRoot, f)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories).Where(DeltaTable.Exists).Order(StringComparer.Ordinal).ToList();
        using var connection = LakeDuckDb.OpenInMemory();
        return tables.Select(path =>
        {
            var relative = Path.GetRelativePath(lakeRoot, path).Replace('\\', '/');
            return Fingerprint(connection, lakeRoot, path, versions is not null && versions.TryGetValue(relative, out var version) ? version : null);
        }).ToList();
    }

    private static TableFingerprint Fingerprint(DuckDB.NET.Data.DuckDBConnection connection, string lakeRoot, string path, long? version)
    {
        if (!DeltaTable.Exists(path))
        {
            throw new LakeException(LakeErrorKind.NotFound, $"{path} is not a Delta table.");
        }

        var snapshot = DeltaTable.Open(path).Snapshot(version);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), coalesce(bit_xor(hash(t)), 0)::VARCHAR FROM ({snapshot.ToDuckDbQuery()}) t";
        using var reader = command.ExecuteReader();
        reader.Read();
        return new TableFingerprint(Path.GetRelativePath(lakeRoot, path).Replace('\\', '/'), snapshot.Version, reader.GetInt64(0), reader.GetString(1));
    }

    private static bool IsInside(string path, string folder) =>
        Path.GetFullPath(path).StartsWith(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
