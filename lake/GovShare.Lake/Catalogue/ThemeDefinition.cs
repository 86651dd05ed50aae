namespace GovShare.Lake.Catalogue;

/// <summary>A thematic dataset (PX 10: social security, credit, food and drug safety, urban construction): a
/// catalogue resource defined by one SELECT over the base databases, served in bulk to consuming agencies.</summary>
public sealed record ThemeDefinition
{
    /// <summary>The theme id, also its view name in the <c>themes</c> schema (<c>themes.social_security</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Names in Chinese and English.</summary>
    public required LocalizedName Name { get; init; }

    /// <summary>What the theme holds and what it serves.</summary>
    public string? Description { get; init; }

    /// <summary>The agency that defined and answers for the theme (usually the operator).</summary>
    public required AgencyRef Agency { get; init; }

    /// <summary>The column that identifies a row, so that changes between versions can be told apart.</summary>
    public required string KeyColumn { get; init; }

    /// <summary>The SELECT over <c>population</c>, <c>legal_entity</c>, <c>geo</c> and <c>licence</c>.</summary>
    public required string Sql { get; init; }

    /// <summary>How it is shared.</summary>
    public SharingSpec Sharing { get; init; } = new();

    /// <summary>The base tables it draws on, qualified (<c>population.persons</c>).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
}
