namespace GovShare.Lake.Tests;

public sealed class LakeLayoutTests
{
    [Fact]
    public void Layout_Should_PlaceEachDatasetInItsOwnFolders()
    {
        var layout = new LakeLayout("/lake");

        Assert.Equal("/lake/src/population.persons.public-security", layout.ProviderTable("population.persons.public-security"));
        Assert.Equal("/lake/quarantine/population.persons.public-security", layout.QuarantineTable("population.persons.public-security"));
        Assert.Equal("/lake/reference/geo_divisions", layout.DivisionsTable);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("")]
    public void Layout_Should_RefuseDatasetIdsThatCouldLeaveTheirFolder(string id)
    {
        var ex = Assert.Throws<LakeException>(() => new LakeLayout("/lake").ProviderTable(id));

        Assert.Equal(LakeErrorKind.InvalidInput, ex.Kind);
    }
}
