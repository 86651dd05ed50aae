namespace GovShare.Lake.Ui.Tests;

/// <summary>The browser tests' collection: one host (<see cref="UiHost"/>) and one Chromium (<see cref="UiBrowser"/>)
/// shared by its classes, which run one after another. A test class joins with <c>[Collection(UiCollection.Name)]</c>
/// (xUnit does not inherit the attribute from <see cref="UiTest"/>).</summary>
[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiHost>, ICollectionFixture<UiBrowser>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Browser";
}
