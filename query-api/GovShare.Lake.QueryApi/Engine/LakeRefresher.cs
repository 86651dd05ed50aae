using GovShare.Lake.QueryApi.Lookups;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary>Looks for new lake versions (commits by ingestion in this or another process) every
/// <see cref="EngineOptions.RefreshInterval"/>, keeps the lookup index on the latest one, points <c>quality.differences</c>
/// at the consistency check's latest commit (<see cref="LakeEngine.Refresh"/>), reads the open mismatch reports again
/// when another process changed them, and runs the access requests' own steps once a minute.</summary>
internal sealed partial class LakeRefresher(LakeEngine engine, LookupIndex index, GovShare.Lake.QueryApi.Access.AccessPolicy access,
    GovShare.Lake.QueryApi.Quality.OpenMismatches mismatches, IOptions<EngineOptions> options, ILogger<LakeRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        engine.VersionAdded += _ => index.RequestRebuild();
        index.RequestRebuild();
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        var lastSweep = DateTime.MinValue;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    engine.Refresh();
                    access.Refresh();
                    mismatches.Refresh();

                    // Access requests due are escalated, grants past their end expire: once a minute is soon enough
                    // for deadlines counted in working days (every read of a request sweeps too).
                    if (DateTime.UtcNow - lastSweep > TimeSpan.FromMinutes(1))
                    {
                        lastSweep = DateTime.UtcNow;
                        access.Sweep();
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A busy store or a table being written is tried again at the next tick; the host keeps serving
                    // the versions it knows.
                    LogRefreshFailed(ex.GetType().Name, GovShare.Lake.Identifiers.CitizenIdNumber.MaskWithin(ex.Message));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for new lake versions failed ({ExceptionType}): {Reason}")]
    private partial void LogRefreshFailed(string exceptionType, string reason);
}
