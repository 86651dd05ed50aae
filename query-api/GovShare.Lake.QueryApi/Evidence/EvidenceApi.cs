using GovShare.Lake.Evidence;
using GovShare.Lake.Platform;
using GovShare.Lake.QueryApi.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GovShare.Lake.QueryApi.Evidence;

/// <summary>A receipt with the exact content it covers.</summary>
/// <param name="Receipt">The signed receipt.</param>
/// <param name="ContentType">The content's media type.</param>
/// <param name="ContentBase64">The exact bytes served, base64 (their SM3 is the receipt's <c>contentSm3</c>).</param>
public sealed record EvidenceSnapshot(EvidenceReceipt Receipt, string ContentType, string ContentBase64);

/// <summary><c>/api/evidence</c>: receipts of certificates served, and the platform's public key to verify them offline.</summary>
public static class EvidenceApi
{
    /// <summary>Maps the evidence endpoints.</summary>
    public static IEndpointRouteBuilder MapEvidenceApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/evidence").WithTags("Evidence");
        group.MapGet("/public-key", GetPublicKey)
            .WithName("GetEvidencePublicKey")
            .WithSummary("The platform's SM2 public key (PEM), to verify receipts offline")
            .AllowAnonymous();
        group.MapGet("/{id}", GetReceipt)
            .WithName("GetEvidence")
            .WithSummary("A receipt and the exact content it covers (the requesting agency or the operator)")
            .RequireAuthorization();
        return endpoints;
    }

    internal static ContentHttpResult GetPublicKey(EvidenceVault vault) =>
        TypedResults.Text(vault.PublicKeyPem, "application/x-pem-file");

    internal static Results<Ok<EvidenceSnapshot>, ProblemHttpResult> GetReceipt(string id, EvidenceVault vault, HttpContext context)
    {
        if (vault.Find(id) is not var (receipt, content))
        {
            return TypedResults.Problem($"there is no receipt '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        var caller = RequestParty.AgencyOf(context.User);
        if (caller is not var (code, kind) || (kind != AgencyKind.Operator && code != receipt.Agency))
        {
            return TypedResults.Problem("a receipt is for the agency it was issued to, or the operator.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        return TypedResults.Ok(new EvidenceSnapshot(receipt, "application/json", Convert.ToBase64String(content)));
    }
}
