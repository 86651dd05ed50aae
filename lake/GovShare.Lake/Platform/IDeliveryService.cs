namespace GovShare.Lake.Platform;

/// <summary>The outcome of a delivery, as the HTTP API passes it on.</summary>
/// <param name="Status"><c>committed</c>, <c>already_committed</c>, <c>refused</c> or <c>failed</c>.</param>
/// <param name="BatchId">The batch id.</param>
/// <param name="ReportJson">The whole batch report, JSON.</param>
public sealed record DeliveryOutcome(string Status, string BatchId, string ReportJson);

/// <summary>Ingests one delivered file. Implemented by the ingestion component and composed into the HTTP host by the
/// process that runs it, so that the query API never references ingestion internals.</summary>
public interface IDeliveryService
{
    /// <summary>Ingests <paramref name="file"/> (already saved to disk, named as the provider named it) into the dataset.</summary>
    DeliveryOutcome Deliver(string datasetId, string file, CancellationToken cancellationToken);
}
