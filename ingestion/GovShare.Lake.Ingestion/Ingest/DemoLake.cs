using GovShare.Lake.Ingestion.Catalogue;
using GovShare.Lake.Ingestion.Sample;
using GovShare.Lake.Catalogue;
using GovShare.Lake.Platform;

namespace GovShare.Lake.Ingestion.Ingest;

/// <summary>Fills an empty lake with a small synthetic city so that a newcomer sees data at once: the city is
/// generated into <c>demo-city/</c> in the lake folder, its catalogue loaded, each delivery ingested.</summary>
public static class DemoLake
{
    /// <summary>The folder, under the lake folder, the demo city's files are written to.</summary>
    public const string FolderName = "demo-city";

    /// <summary>True when the lake has no catalogue entry and no provider table yet.</summary>
    public static bool IsEmpty(LakeLayout layout, IPlatformStore store) =>
        store.ListCatalogue().Count == 0 && !Directory.Exists(Path.Combine(layout.Root, "src"));

    /// <summary>Generates and ingests the demo city, telling <paramref name="log"/> what it does; returns the
    /// batch reports.</summary>
    public static IReadOnlyList<BatchReport> Seed(
        LakeLayout layout, IPlatformStore store, DeliveryIngestor ingestor, long persons, TimeProvider clock, TextWriter log,
        CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(layout.Root, FolderName);
        log.WriteLine($"The lake is empty: generating a demo city of {persons:N0} persons in {folder} ...");
        var options = new SyntheticCityOptions { OutputDirectory = folder, Persons = persons, AsOf = ChinaTime.Today(clock) };
        var reports = Ingest(store, ingestor, SyntheticCity.Generate(options, null, cancellationToken), folder, clock, log, cancellationToken);
        foreach (var theme in DemoThemes.All)
        {
            store.SaveTheme(theme, clock.GetUtcNow());
        }

        log.WriteLine($"Saved {DemoThemes.All.Count} themes: {string.Join(", ", DemoThemes.All.Select(t => t.Id))}.");
        return reports;
    }

    /// <summary>Loads a generated city's catalogue and ingests each of its deliveries, telling <paramref name="log"/> how
    /// each went; returns the batch reports.</summary>
    /// <param name="store">The platform store.</param>
    /// <param name="ingestor">The ingestor of the lake.</param>
    /// <param name="city">What <see cref="SyntheticCity.Generate"/> wrote.</param>
    /// <param name="folder">The folder it wrote to.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="log">Where progress goes.</param>
    /// <param name="cancellationToken">Stops between deliveries.</param>
    public static IReadOnlyList<BatchReport> Ingest(
        IPlatformStore store, DeliveryIngestor ingestor, SyntheticCityResult city, string folder, TimeProvider clock, TextWriter log,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ingestor);
        ArgumentNullException.ThrowIfNull(city);
        ArgumentNullException.ThrowIfNull(log);
        var loaded = CatalogueLoader.Load(store, Path.Combine(folder, "catalogue"), clock);
        log.WriteLine($"Loaded {loaded.Count} catalogue entries.");
        var reports = new List<BatchReport>();
        foreach (var dataset in city.Datasets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var report = ingestor.Ingest(Path.Combine(folder, dataset.File), dataset.Id, null, cancellationToken);
            log.WriteLine($"  {dataset.Id,-24} {BatchReport.StatusName(report.Status),-9} read {report.Read,9:N0}  accepted {report.Accepted,9:N0}  " +
                $"quarantined {report.Quarantined,6:N0}  warnings {report.WarningCount,5:N0}");
            reports.Add(report);
        }

        return reports;
    }

    /// <summary>The demo city's operations centre holds approved, unmasked requests for every conditional entry, with the
    /// data-use agreement accepted, so that the demo shows every base database whole; the housing fund centre holds none,
    /// so that it shows what an agency without grants sees (and can file requests). Safe to run again.</summary>
    /// <param name="store">The platform store.</param>
    /// <param name="consumer">The consumer to grant.</param>
    /// <param name="clock">The clock.</param>
    public static void GrantDemoAccess(IPlatformStore store, string consumer, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        foreach (var entry in store.ListCatalogue().Select(r => r.Entry).Where(e => e.Sharing.Class == SharingClass.Conditional))
        {
            var purpose = "城市运行监测与应急指挥";
            store.SaveAccessRequest(new GovShare.Lake.Access.AccessRequest
            {
                Id = $"ar-demo-{entry.Id}",
                Requester = consumer,
                Resource = entry.Id,
                Decider = entry.Agency.Code,
                Purpose = purpose,
                Status = GovShare.Lake.Access.AccessRequestStatus.Approved,
                CreatedAt = now,
                DueAt = now,
                Reasons = "demo grant",
                History =
                [
                    new(now, consumer, "submitted", purpose),
                    new(now, entry.Agency.Code, "approved", "demo grant, unmasked"),
                ],
            });
            store.SaveAgreement(new GovShare.Lake.Access.AgreementAcceptance(consumer, entry.Id, GovShare.Lake.Access.DataUseAgreement.Version, now, "demo"));
        }
    }

    /// <summary>The file, in the lake folder, the demo agencies' API keys are written to.</summary>
    public const string CredentialsFile = "demo-credentials.txt";

    /// <summary>The file in the lake folder holding the demo staff accounts' passwords (readable by the owner only); apart from
    /// <see cref="CredentialsFile"/>, whose lines the CLI and scripts read as agency keys.</summary>
    public const string StaffFile = "demo-staff.txt";

    /// <summary>A demo agency and its key.</summary>
    /// <param name="Code">The agency code.</param>
    /// <param name="Kind">Its kind.</param>
    /// <param name="Key">Its API key.</param>
    /// <param name="Name">Its Chinese name.</param>
    public sealed record DemoCredential(string Code, AgencyKind Kind, string Key, string Name);

    /// <summary>Gives every providing agency of the catalogue, a consumer and an operator an API key, and writes them to
    /// <see cref="CredentialsFile"/> (readable by the owner only): the keys are shown once, here.</summary>
    public static IReadOnlyList<DemoCredential> SeedAgencies(LakeLayout layout, IPlatformStore store, TimeProvider clock)
    {
        var agencies = store.ListCatalogue().Select(r => r.Entry.Agency).DistinctBy(a => a.Code)
            .Select(a => (a.Code, a.Name, Kind: AgencyKind.Provider))
            .Append((Code: "urban-ops", Name: new LocalizedName("市城市运行管理中心", "City operations centre"), Kind: AgencyKind.Consumer))
            .Append((Code: "housing-fund", Name: new LocalizedName("市住房公积金管理中心", "Housing provident fund centre"), Kind: AgencyKind.Consumer))
            .Append((Code: "operator", Name: new LocalizedName("市大数据管理局", "Municipal Big Data Administration"), Kind: AgencyKind.Operator))
            .ToList();
        var credentials = agencies.Select(a => new DemoCredential(a.Code, a.Kind, ApiKeys.Issue(store, a.Code, a.Name, a.Kind, clock), a.Name.Zh)).ToList();
        GrantDemoAccess(store, "urban-ops", clock);
        var path = Path.Combine(layout.Root, CredentialsFile);
        var text = new System.Text.StringBuilder()
            .AppendLine("# GovShare Lake demo API keys, written once when the demo lake was created. Keep this file private.")
            .AppendLine("# Use: curl -H 'Authorization: Bearer <key>' -H 'X-End-User: <name>' -H 'X-Purpose: <why>' ...")
            .AppendLine("# agency_code<TAB>kind<TAB>api_key<TAB>name");
        foreach (var credential in credentials)
        {
            text.Append(credential.Code).Append('\t').Append(credential.Kind.ToString().ToLowerInvariant()).Append('\t')
                .Append(credential.Key).Append('\t').AppendLine(credential.Name);
        }

        // Created readable by the owner only, never briefly readable by others.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), options))
        {
            writer.Write(text.ToString());
        }

        return credentials;
    }

    /// <summary>A demo staff account and its password.</summary>
    /// <param name="Username">Sign-in name.</param>
    /// <param name="Password">Its password (random, shown once and written to <see cref="StaffFile"/>).</param>
    /// <param name="Agency">The agency.</param>
    /// <param name="Roles">Its roles.</param>
    public sealed record DemoStaff(string Username, string Password, string Agency, IReadOnlyList<StaffRole> Roles);

    /// <summary>Gives the demo agencies (registered by <see cref="SeedAgencies"/>) staff accounts for the web UI with random
    /// passwords, written to <see cref="StaffFile"/>: <c>op.admin</c> (operator), <c>op.reviewer</c> (reviewer), an
    /// analyst for each consumer (<c>urban-ops.analyst</c>, <c>housing-fund.analyst</c>), and <c>&lt;code&gt;.admin</c>, a provider
    /// administrator who is also an analyst, for each providing agency.</summary>
    public static IReadOnlyList<DemoStaff> SeedStaff(LakeLayout layout, IPlatformStore store, TimeProvider clock, StaffOptions? options = null)
    {
        var directory = new StaffDirectory(store, options ?? new StaffOptions(), clock);
        var planned = new List<(string Username, string Agency, string Name, StaffRole[] Roles)>();
        foreach (var agency in store.ListAgencies())
        {
            planned.AddRange(agency.Kind switch
            {
                AgencyKind.Operator => [("op.admin", agency.Code, "平台管理员", [StaffRole.Operator]), ("op.reviewer", agency.Code, "数据质量审核员", [StaffRole.Reviewer])],
                AgencyKind.Provider => [($"{agency.Code}.admin", agency.Code, agency.Name.Zh + "管理员", [StaffRole.ProviderAdmin, StaffRole.Analyst])],
                _ => [($"{agency.Code}.analyst", agency.Code, agency.Name.Zh + "分析员", [StaffRole.Analyst])],
            });
        }

        // Each account costs a deliberately slow hash: made on every core at once.
        var staff = planned.Where(p => store.FindStaffAccount(p.Username) is null).AsParallel().AsOrdered()
            .Select(p =>
            {
                var password = PasswordHashing.Temporary();
                directory.Create(p.Username, p.Agency, p.Name, p.Roles, password, out _);
                return new DemoStaff(p.Username, password, p.Agency, p.Roles);
            })
            .ToList();

        var text = new System.Text.StringBuilder()
            .AppendLine("# Web UI staff accounts (sign in at /ui/): username<TAB>password<TAB>agency<TAB>roles");
        foreach (var account in staff)
        {
            text.Append(account.Username).Append('\t').Append(account.Password).Append('\t').Append(account.Agency).Append('\t')
                .AppendLine(string.Join(',', account.Roles.Select(StaffRoles.Name)));
        }

        var path = Path.Combine(layout.Root, StaffFile);
        var file = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, new System.Text.UTF8Encoding(false), file))
        {
            writer.Write(text.ToString());
        }

        return staff;
    }
}
