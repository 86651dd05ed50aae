using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Catalogue;

/// <summary>Loads a folder of catalogue YAML files into the platform store: all files are validated before
/// anything is stored, so a folder with one bad file changes nothing.</summary>
public static class CatalogueLoader
{
    /// <summary>Stores every entry of the folder; returns each entry's latest revision and whether it is new.</summary>
    /// <exception cref="CatalogueFileException">Any file is invalid.</exception>
    public static IReadOnlyList<(CatalogueRevision Revision, bool IsNew)> Load(IPlatformStore store, string folder, TimeProvider clock)
    {
        var entries = CatalogueYaml.LoadFolderFiles(folder);

        // How an entry is shared changes only through the provider's proposal and the operator's approval, which the
        // catalogue history then records: a file cannot change it (the class, presets and masks widen access alike), nor
        // undo an approved change. Checked before anything is stored.
        foreach (var (file, entry) in entries)
        {
            if (store.FindCatalogueEntry(entry.Id)?.Entry.Sharing is { } current && Json(current) != Json(entry.Sharing))
            {
                throw new LakeException(LakeErrorKind.InvalidInput,
                    $"{Path.GetFileName(file)}: sharing: the file changes how {entry.Id} is shared (in the catalogue: {Json(current)}; in the file: {Json(entry.Sharing)}); " +
                    $"a sharing change is proposed by the provider (POST /api/catalogue/{entry.Id}/sharing-changes) and approved by the operator. Make the file say what the catalogue says.");
            }
        }

        var now = clock.GetUtcNow();
        var results = new List<(CatalogueRevision, bool)>();
        foreach (var (file, entry) in entries)
        {
            var before = store.FindCatalogueEntry(entry.Id)?.Revision;
            var revision = store.SaveCatalogueEntry(entry, now, Path.GetFullPath(file));
            results.Add((revision, revision.Revision != before));
        }

        return results;
    }

    private static string Json(SharingSpec sharing) => System.Text.Json.JsonSerializer.Serialize(sharing, DuckDbPlatformStore.Json);
}
