using GovShare.Lake.QueryApi.Lookups;
using Microsoft.Extensions.Options;

namespace GovShare.Lake.QueryApi.Engine;

/// <summary>Looks for new lake versions (commits by ingestion in this or another process) every
/// <see cref="EngineOptions.RefreshInterval"/>, and keeps the lookup index on the latest one.</summary>
internal sealed partial class LakeRefresher(LakeEngine engine, LookupIndex index, IOptions<EngineOptions> options, ILogger<LakeRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        engine.VersionAdded += _ => index.RequestRebuild();
        index.RequestRebuild();
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    engine.Refresh();
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
