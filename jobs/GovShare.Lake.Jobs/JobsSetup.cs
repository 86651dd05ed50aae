using GovShare.Lake.Freshness;
using GovShare.Lake.Jobs.Notifications;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GovShare.Lake.Jobs;

/// <summary>When the jobs run (cron, China time). Bound from <c>Jobs:</c>.</summary>
public sealed record JobsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Jobs";

    /// <summary>Freshness check (default every 15 minutes).</summary>
    public string Freshness { get; init; } = "*/15 * * * *";

    /// <summary>Drop folders (default every minute).</summary>
    public string Inbox { get; init; } = "* * * * *";

    /// <summary>Webhook delivery of pending notifications (default every minute).</summary>
    public string Webhooks { get; init; } = "* * * * *";

    /// <summary>Access-request deadlines (default every 15 minutes).</summary>
    public string Deadlines { get; init; } = "*/15 * * * *";

    /// <summary>Optimize and vacuum (default 02:30 every night).</summary>
    public string Maintenance { get; init; } = "30 2 * * *";

    /// <summary>The off-site backup's folder (a second disk or a mounted share); none: no nightly backup.</summary>
    public string? BackupTarget { get; init; }

    /// <summary>The nightly backup and its verification (default 03:30), when <see cref="BackupTarget"/> is set.</summary>
    public string Backup { get; init; } = "30 3 * * *";

    /// <summary>The nightly cross-provider consistency check (default 01:00): keys changed since the last check.</summary>
    public string Consistency { get; init; } = "0 1 * * *";

    /// <summary>The difference classifier's retraining on the reviewers' verdicts (default Sundays 04:30).</summary>
    public string Retraining { get; init; } = "30 4 * * 0";

    /// <summary>Provider feed anomalies: every committed delivery not judged yet against its entry's history (default every 15 minutes).</summary>
    public string Anomalies { get; init; } = "*/15 * * * *";

    /// <summary>Days of table history the nightly vacuum keeps (default 30): <c>asOf</c> queries and theme changes
    /// <c>since</c> a version older than this can no longer be read.</summary>
    public int VacuumRetentionDays { get; init; } = 30;

    /// <summary>Problems with the values.</summary>
    public IReadOnlyList<string> Validate() =>
        new[] { (nameof(Freshness), Freshness), (nameof(Inbox), Inbox), (nameof(Webhooks), Webhooks), (nameof(Deadlines), Deadlines), (nameof(Maintenance), Maintenance), (nameof(Backup), Backup), (nameof(Consistency), Consistency), (nameof(Retraining), Retraining), (nameof(Anomalies), Anomalies) }
            .Where(p => !FreshnessRules.TryParseCron(p.Item2, out _))
            .Select(p => $"Jobs:{p.Item1} '{p.Item2}' is not a cron expression (minute hour day month weekday).")
            .Concat(VacuumRetentionDays is < 7 or > 3650 ? [$"Jobs:VacuumRetentionDays is {VacuumRetentionDays}; use 7 to 3650."] : [])
            .ToList();
}

/// <summary>Wires the scheduled jobs into a host: Hangfire with in-memory storage (the storage is the one line to change
/// for a PostgreSQL-backed deployment), a server in the process, and the recurring jobs registered on every start.</summary>
public static class JobsSetup
{
    /// <summary>Adds Hangfire, the job classes and their options.</summary>
    public static IServiceCollection AddPlatformJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var jobs = configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        var freshness = configuration.GetSection(FreshnessOptions.SectionName).Get<FreshnessOptions>() ?? new FreshnessOptions();
        var webhooks = configuration.GetSection("Webhooks").Get<WebhookOptions>() ?? new WebhookOptions();
        var problems = jobs.Validate().Concat(freshness.Validate()).Concat(webhooks.Validate()).ToList();
        if (problems.Count > 0)
        {
            throw new LakeException(LakeErrorKind.InvalidInput, string.Join(" ", problems));
        }

        services.AddSingleton(jobs);
        services.AddSingleton(freshness);
        services.AddSingleton(webhooks);
        services.AddSingleton(webhooks.CreateClient());
        services.AddTransient<PlatformJobs>();
        services.AddHangfire(hangfire => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseInMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromDays(7) }));
        services.AddHangfireServer(server =>
        {
            server.WorkerCount = 2;
            server.ServerName = "govshare";
        });
        services.AddHostedService<RecurringJobsRegistration>();
        return services;
    }

    // Registered on every start: the in-memory storage forgets them on restart.
    private sealed class RecurringJobsRegistration(IRecurringJobManager manager, JobsOptions options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var china = new RecurringJobOptions { TimeZone = ChinaTime.Zone };
            manager.AddOrUpdate<PlatformJobs>("freshness", jobs => jobs.CheckFreshness(), options.Freshness, china);
            manager.AddOrUpdate<PlatformJobs>("inbox", jobs => jobs.ProcessInboxes(), options.Inbox, china);
            manager.AddOrUpdate<PlatformJobs>("webhooks", jobs => jobs.DeliverWebhooks(), options.Webhooks, china);
            manager.AddOrUpdate<PlatformJobs>("deadlines", jobs => jobs.WatchDeadlines(), options.Deadlines, china);
            manager.AddOrUpdate<PlatformJobs>("maintenance", jobs => jobs.Maintain(), options.Maintenance, china);
            manager.AddOrUpdate<PlatformJobs>("consistency", jobs => jobs.CheckConsistency(), options.Consistency, china);
            manager.AddOrUpdate<PlatformJobs>("retraining", jobs => jobs.RetrainClassifier(), options.Retraining, china);
            manager.AddOrUpdate<PlatformJobs>("anomalies", jobs => jobs.CheckFeedAnomalies(), options.Anomalies, china);
            if (options.BackupTarget is { Length: > 0 })
            {
                manager.AddOrUpdate<PlatformJobs>("backup", jobs => jobs.BackUp(), options.Backup, china);
            }
            else
            {
                manager.RemoveIfExists("backup");
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
