using System.Text.Json;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>The ingestor behind the HTTP API's delivery endpoint.</summary>
public sealed class DeliveryService(DeliveryIngestor ingestor) : IDeliveryService
{
    /// <inheritdoc />
    public DeliveryOutcome Deliver(string datasetId, string file, CancellationToken cancellationToken)
    {
        var report = ingestor.Ingest(file, datasetId, null, cancellationToken);
        return new DeliveryOutcome(BatchReport.StatusName(report.Status), report.BatchId, JsonSerializer.Serialize(report, DuckDbPlatformStore.Json));
    }
}
