using GovShare.Lake.Catalogue;
using GovShare.Lake.Ingestion.Catalogue;

namespace GovShare.Lake.Ingestion.Tests.Catalogue;

/// <summary>A catalogue folder cannot change a sharing class: that is the provider's proposal and the operator's approval.</summary>
public sealed class CatalogueLoaderTests : IDisposable
{
    private readonly TestLake _lake = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "govshare-catalogue-" + Guid.NewGuid().ToString("N"));

    public CatalogueLoaderTests()
    {
        Directory.CreateDirectory(_folder);
        var source = Sample.SampleDataCatalogueTests.Committed();
        File.Copy(Path.Combine(source, "hrss.insured.yaml"), Path.Combine(_folder, "hrss.insured.yaml"));
        File.Copy(Path.Combine(source, "amr.entities.yaml"), Path.Combine(_folder, "amr.entities.yaml"));
    }

    [Fact]
    public void Load_Should_RefuseAClassChange_AndStoreNothing_When_AFileChangesTheSharingClass()
    {
        CatalogueLoader.Load(_lake.Store, _folder, _lake.Clock);
        var file = Path.Combine(_folder, "hrss.insured.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("class: conditional", "class: unconditional", StringComparison.Ordinal));
        var amr = Path.Combine(_folder, "amr.entities.yaml");
        File.WriteAllText(amr, File.ReadAllText(amr).Replace("description: ", "description: 更新：", StringComparison.Ordinal));

        var error = Assert.Throws<LakeException>(() => CatalogueLoader.Load(_lake.Store, _folder, _lake.Clock));

        Assert.Contains("hrss.insured.yaml: sharing:", error.Message, StringComparison.Ordinal);
        Assert.Contains("/api/catalogue/hrss.insured/sharing-changes", error.Message, StringComparison.Ordinal);
        Assert.Equal(SharingClass.Conditional, _lake.Store.FindCatalogueEntry("hrss.insured")!.Entry.Sharing.Class);
        Assert.Equal(1, _lake.Store.FindCatalogueEntry("amr.entities")!.Revision);
    }

    [Fact]
    public void Load_Should_RefuseAWiderPreset_When_AFileChangesTheAutoApproval()
    {
        CatalogueLoader.Load(_lake.Store, _folder, _lake.Clock);
        var file = Path.Combine(_folder, "hrss.insured.yaml");
        File.WriteAllText(file, File.ReadAllText(file).Replace("purposeCategories: [social_assistance, employment_service]", "purposeCategories: []", StringComparison.Ordinal));

        var error = Assert.Throws<LakeException>(() => CatalogueLoader.Load(_lake.Store, _folder, _lake.Clock));

        Assert.Contains("sharing-changes", error.Message, StringComparison.Ordinal);
        Assert.Equal(["social_assistance", "employment_service"], _lake.Store.FindCatalogueEntry("hrss.insured")!.Entry.Sharing.AutoApprove!.PurposeCategories);
    }

    [Fact]
    public void Load_Should_ReadPresetConditionsAndMasks()
    {
        CatalogueLoader.Load(_lake.Store, _folder, _lake.Clock);

        var sharing = _lake.Store.FindCatalogueEntry("hrss.insured")!.Entry.Sharing;

        Assert.Equal(["phone", "residence_address"], sharing.Mask);
        Assert.True(sharing.AutoApprove!.IsMetBy("any", "consumer", "social_assistance"));
        Assert.False(sharing.AutoApprove.IsMetBy("any", "provider", "social_assistance"));
        Assert.False(sharing.AutoApprove.IsMetBy("any", "consumer", "statistics"));
        Assert.False(sharing.AutoApprove.IsMetBy("any", "consumer", null));
    }

    public void Dispose()
    {
        _lake.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
