using GovShare.Lake.Access;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Evidence;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Identity;

namespace GovShare.Lake.QueryApi.Evidence;

/// <summary>Receipts for licence data leaving the platform in bulk: every answer to a statement that reads certificate
/// data (<c>licence.licences</c>, a provider table feeding it, a theme drawing on it) and every export of such a theme
/// comes with a signed receipt over the exact bytes served, named by the <c>X-Evidence-Receipt</c> header.</summary>
internal static class ExportEvidence
{
    /// <summary>The response header naming the receipt.</summary>
    public const string Header = "X-Evidence-Receipt";

    /// <summary>True when one of the views a statement names holds certificate data.</summary>
    public static bool Touches(IEnumerable<string> views, LakeEngine engine) => views.Any(view =>
    {
        var name = view.ToLowerInvariant();
        if (name == BaseDatabaseCatalog.Licences.QualifiedName)
        {
            return true;
        }

        if (name.StartsWith("src.", StringComparison.Ordinal))
        {
            return engine.Catalogue.Any(r => string.Equals(r.Entry.Id, view[4..], StringComparison.OrdinalIgnoreCase) && r.Entry.Target == BaseDatabaseCatalog.Licences.QualifiedName);
        }

        return name.StartsWith(AccessRules.ThemePrefix, StringComparison.Ordinal)
            && engine.Themes.Any(t => string.Equals(t.Id, view[AccessRules.ThemePrefix.Length..], StringComparison.OrdinalIgnoreCase)
                && t.Sources.Contains(BaseDatabaseCatalog.Licences.QualifiedName, StringComparer.Ordinal));
    });

    /// <summary>Signs a receipt over the bytes about to be served and names it in the response.</summary>
    public static EvidenceReceipt Attach(HttpContext context, EvidenceVault vault, TimeProvider clock, string key, long version, byte[] content)
    {
        var agency = RequestParty.AgencyOf(context.User)?.Code ?? "-";
        var party = context.Items[typeof(RequestParty)] as RequestParty;
        var receipt = vault.Issue(BaseDatabaseCatalog.Licences.QualifiedName, key, version, agency, party?.EndUser, party?.Purpose, content, clock.GetUtcNow());
        context.Response.Headers[Header] = receipt.ReceiptId;
        return receipt;
    }
}
