using GovShare.Lake.Calendar;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Jobs.Tests;

/// <summary>A clock the test moves.</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}

/// <summary>A lake folder with its platform store and an operator calendar for 2031: the National Day week off
/// (1–7 October), Saturday 27 September worked instead, and Friday 10 October made a holiday too, so that the quarterly
/// deadline falls on a day off. Deleted with the test.</summary>
internal sealed class JobsLake : IDisposable
{
    /// <summary>Monday 22 September 2031, 10:00 China time.</summary>
    public static readonly DateTimeOffset Monday = At("2031-09-22 10:00");

    public JobsLake()
    {
        Root = Path.Combine(Path.GetTempPath(), $"govshare-jobs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        Layout = new LakeLayout(Root);
        Store = DuckDbPlatformStore.Open(Root);
        Clock = new TestClock(Monday);
        WorkingCalendar.Save(Root, 2031, string.Join('\n', Enumerable.Range(1, 7).Select(d => $"holiday,2031-10-0{d},国庆节")) +
            "\nworkday,2031-09-27,国庆节调休\nholiday,2031-10-10,测试假日\n");
        Calendar = WorkingCalendar.Load(Root);
    }

    public string Root { get; }

    public LakeLayout Layout { get; }

    public DuckDbPlatformStore Store { get; }

    public TestClock Clock { get; }

    public WorkingCalendar Calendar { get; }

    /// <summary>A China-time instant written as <c>yyyy-MM-dd HH:mm</c>.</summary>
    public static DateTimeOffset At(string text) =>
        DateTimeOffset.ParseExact(text + " +08:00", "yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A catalogue entry copied from the sample catalogue (<paramref name="sample"/>) under another id, deadline and agency,
    /// registered at <paramref name="registeredAt"/>.</summary>
    public CatalogueEntry Entry(string id, UpdateDeadline deadline, DateTimeOffset registeredAt, UpdateSchedule? schedule = null, string? agency = null, string sample = "amr.entities")
    {
        var copied = Sample()[sample];
        var entry = copied with
        {
            Id = id, UpdateDeadline = deadline, Schedule = schedule, Agency = agency is null ? copied.Agency : new AgencyRef(agency, new LocalizedName(agency, agency)),
        };
        Store.SaveCatalogueEntry(entry, registeredAt);
        return entry;
    }

    /// <summary>Records a delivery of a dataset at an instant (committed unless told otherwise; with <paramref name="repeat"/>, the
    /// same file as before again, as the ingestor logs it).</summary>
    public void Deliver(string datasetId, DateTimeOffset at, string status = "committed", bool repeat = false) =>
        Store.RecordBatch(new BatchRecord($"{datasetId}-{Guid.NewGuid():N}", datasetId, 1, "delivery.csv", status, 1, 1, 0, 0, 1, at.AddSeconds(-1), at, "{}", repeat));

    private static Dictionary<string, CatalogueEntry> Sample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "sample-data", "catalogue");
            if (Directory.Exists(candidate))
            {
                return CatalogueYaml.LoadFolder(candidate).ToDictionary(e => e.Id, StringComparer.Ordinal);
            }
        }

        throw new DirectoryNotFoundException("sample-data/catalogue not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp folder.
        }
    }
}
