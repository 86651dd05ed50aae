using System.Globalization;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs;

/// <summary>Records every job run in the platform store (start, end, outcome, error, what it did), because the
/// scheduler's own state may live in memory and is lost on restart.</summary>
public sealed class JobRecorder(IPlatformStore store, TimeProvider clock)
{
    /// <summary>Runs <paramref name="work"/> as a recorded run of <paramref name="job"/>; its summary is what it returns.
    /// A failure is recorded and thrown again (so that the scheduler sees it too).</summary>
    public JobRun Run(string job, Func<string> work)
    {
        var started = clock.GetUtcNow();
        var id = $"{job}-{ChinaTime.ToChina(started).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";
        store.RecordJobRun(new JobRun(id, job, started, null, "running", null, null));
        try
        {
            var summary = work();
            var run = new JobRun(id, job, started, clock.GetUtcNow(), "succeeded", null, summary);
            store.RecordJobRun(run);
            return run;
        }
        catch (Exception ex)
        {
            store.RecordJobRun(new JobRun(id, job, started, clock.GetUtcNow(), "failed", $"{ex.GetType().Name}: {GovShare.Lake.Identifiers.CitizenIdNumber.MaskWithin(ex.Message)}", null));
            throw;
        }
    }
}
