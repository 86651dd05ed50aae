namespace GovShare.Lake;

/// <summary>Where things live in the lake folder, so that every component finds the same tables:
/// <c>src/&lt;dataset id&gt;</c> for each provider's delivery table, <c>quarantine/&lt;dataset id&gt;</c> for
/// its rejected rows, <c>reference/</c> for tables seeded from shipped reference data (geo.divisions),
/// <c>quality/differences</c> for the consistency check's classified differences,
/// <c>keys/</c> for the platform's keys and <c>keys/issuers/&lt;agency code&gt;.pem</c> for issuers' seal keys.</summary>
/// <param name="Root">The lake folder (absolute).</param>
public sealed record LakeLayout(string Root)
{
    /// <summary>The layout of the lake folder named by the options.</summary>
    public static LakeLayout From(LakeOptions options) => new(options.FullPath);

    /// <summary>The provider table of a catalogue entry.</summary>
    public string ProviderTable(string datasetId) => Path.Combine(Root, "src", SafeName(datasetId));

    /// <summary>The quarantine table of a catalogue entry.</summary>
    public string QuarantineTable(string datasetId) => Path.Combine(Root, "quarantine", SafeName(datasetId));

    /// <summary>The <c>geo.divisions</c> table, seeded from the GB/T 2260 history.</summary>
    public string DivisionsTable => Path.Combine(Root, "reference", "geo_divisions");

    /// <summary>The consistency check's table of classified differences (<see cref="Quality.ClassifiedDifferences"/>): the
    /// check writes it, the query API's <c>quality.differences</c> view reads it.</summary>
    public string DifferencesTable => Path.Combine(Root, "quality", "differences");

    /// <summary>The folder of the issuers' registered seal keys (SM2 public keys, PEM).</summary>
    public string IssuerKeysFolder => Path.Combine(Root, "keys", "issuers");

    /// <summary>The seal key file of an issuing agency.</summary>
    /// <exception cref="LakeException">A code that could point outside the folder.</exception>
    public string IssuerKey(string agencyCode)
    {
        if (string.IsNullOrEmpty(agencyCode) || agencyCode.StartsWith('.')
            || agencyCode.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"'{agencyCode}' is not an agency code: use letters, digits, '.', '-' and '_', not starting with '.'.");
        }

        return Path.Combine(IssuerKeysFolder, agencyCode + ".pem");
    }

    /// <summary>Dataset ids become folder names: letters, digits, '.', '-' and '_' only, so that no id can
    /// point outside its folder.</summary>
    /// <exception cref="LakeException">An id with any other character.</exception>
    public static string SafeName(string datasetId)
    {
        if (string.IsNullOrEmpty(datasetId) || datasetId.StartsWith('.')
            || datasetId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
        {
            throw new LakeException(LakeErrorKind.InvalidInput,
                $"'{datasetId}' is not a dataset id: use letters, digits, '.', '-' and '_', not starting with '.'.");
        }

        return datasetId;
    }
}
