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
}
