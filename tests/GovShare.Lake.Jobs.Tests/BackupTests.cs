using System.Text.Json;
using GovShare.Lake.Identifiers;
using GovShare.Lake.Ingestion.Ingest;
using GovShare.Lake.Jobs.Backup;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>Backup → restore → identical content hashes, incremental runs, and a changed backup caught by verification.</summary>
public sealed class BackupTests : IDisposable
{
    private readonly JobsLake _lake = new();
    private readonly string _backup = Path.Combine(Path.GetTempPath(), "govshare-backup-" + Guid.NewGuid().ToString("N"));
    private readonly string _restored = Path.Combine(Path.GetTempPath(), "govshare-restored-" + Guid.NewGuid().ToString("N"));

    public BackupTests()
    {
        var ingestor = new DeliveryIngestor(_lake.Layout, _lake.Store, IdentifierValidator.Default, TimeProvider.System);
        DemoLake.Seed(_lake.Layout, _lake.Store, ingestor, 400, TimeProvider.System, TextWriter.Null);
    }

    [Fact]
    public void Backup_Should_RestoreToIdenticalContent_AndCopyOnlyWhatIsNew_WhenRunAgain()
    {
        var first = LakeBackup.Run(_lake.Layout, _lake.Store, _backup, TimeProvider.System);
        var second = LakeBackup.Run(_lake.Layout, _lake.Store, _backup, TimeProvider.System);
        LakeBackup.Restore(_backup, _restored);

        Assert.True(first.FilesCopied > 0);
        Assert.Equal(0, second.FilesCopied);
        Assert.Equal(first.FilesCopied, second.FilesUnchanged);
        Assert.Contains(first.Tables, t => t.Table == "src/psb.household" && t.Rows > 0);
        Assert.Equal(LakeBackup.Fingerprints(_lake.Root), LakeBackup.Fingerprints(_restored));
        Assert.Equal(_lake.Store.ListCatalogue().Count, GovShare.Lake.Platform.DuckDbPlatformStore.Open(_restored).ListCatalogue().Count);
        var verification = LakeBackup.Verify(_backup);
        Assert.True(verification.Ok, string.Join(" ", verification.Problems));
        Assert.Equal(first.Tables.Count, verification.Tables);
    }

    [Fact]
    public void Verify_Should_NameTheTable_When_TheBackupNoLongerHoldsWhatWasBackedUp()
    {
        LakeBackup.Run(_lake.Layout, _lake.Store, _backup, TimeProvider.System);
        var table = Path.Combine(_backup, "lake", "src", "psb.household");
        foreach (var file in Directory.EnumerateFiles(table, "*.parquet", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }

        var verification = LakeBackup.Verify(_backup);

        Assert.False(verification.Ok);
        Assert.Contains(verification.Problems, p => p.StartsWith("src/psb.household:", StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_Should_CatchADifferentContentHash()
    {
        LakeBackup.Run(_lake.Layout, _lake.Store, _backup, TimeProvider.System);
        var path = Path.Combine(_backup, LakeBackup.ManifestFile);
        var manifest = JsonSerializer.Deserialize<BackupManifest>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var tampered = manifest with { Tables = [.. manifest.Tables.Select(t => t.Table == "src/nhc.vital" ? t with { ContentHash = "1" } : t)] };
        File.WriteAllText(path, JsonSerializer.Serialize(tampered, new JsonSerializerOptions(JsonSerializerDefaults.Web)));

        var verification = LakeBackup.Verify(_backup);

        Assert.False(verification.Ok);
        Assert.Contains("src/nhc.vital", Assert.Single(verification.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_Should_RefuseAFolderThatIsNotEmpty_AndABackupInsideTheLake()
    {
        LakeBackup.Run(_lake.Layout, _lake.Store, _backup, TimeProvider.System);
        Directory.CreateDirectory(_restored);
        File.WriteAllText(Path.Combine(_restored, "x"), "");

        Assert.Equal(LakeErrorKind.Conflict, Assert.Throws<LakeException>(() => LakeBackup.Restore(_backup, _restored)).Kind);
        Assert.Equal(LakeErrorKind.InvalidInput,
            Assert.Throws<LakeException>(() => LakeBackup.Run(_lake.Layout, _lake.Store, Path.Combine(_lake.Root, "backup"), TimeProvider.System)).Kind);
    }

    public void Dispose()
    {
        foreach (var folder in new[] { _backup, _restored }.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }

        _lake.Dispose();
    }
}
