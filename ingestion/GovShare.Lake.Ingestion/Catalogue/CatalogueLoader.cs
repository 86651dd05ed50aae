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

        // A sharing class changes only through the provider's proposal and the operator's approval, which the catalogue
        // history then records: a file cannot change it, nor undo an approved change (checked before anything is stored).
        foreach (var (file, entry) in entries)
        {
            if (store.FindCatalogueEntry(entry.Id)?.Entry.Sharing.Class is { } current && current != entry.Sharing.Class)
            {
                throw new LakeException(LakeErrorKind.InvalidInput,
                    $"{Path.GetFileName(file)}: sharing.class: {entry.Id} is {CatalogueValidator.Name(current)} in the catalogue and {CatalogueValidator.Name(entry.Sharing.Class)} in the file; " +
                    $"a class change is proposed by the provider (POST /api/catalogue/{entry.Id}/sharing-changes) and approved by the operator. Make the file say {CatalogueValidator.Name(current)}.");
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
}
