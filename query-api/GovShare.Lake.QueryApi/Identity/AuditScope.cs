using GovShare.Lake.Audit;

namespace GovShare.Lake.QueryApi.Identity;

/// <summary>What a data request touched, filled in by its handler and appended to the audit log when the response is
/// complete (its status then final): resources, the statement's hash, the subjects looked up, the rows served.</summary>
public sealed class AuditScope
{
    private readonly List<string> _resources = [];
    private readonly List<string> _subjects = [];

    /// <summary>The resources touched.</summary>
    public IReadOnlyList<string> Resources => _resources;

    /// <summary>Keyed hashes of the subjects' keys.</summary>
    public IReadOnlyList<string> Subjects => _subjects;

    /// <summary>SHA-256 of the statement, for SQL.</summary>
    public string? QueryHash { get; set; }

    /// <summary>Rows served.</summary>
    public long? Rows { get; set; }

    /// <summary>Records resources touched (each once).</summary>
    public void Touch(IEnumerable<string> resources)
    {
        foreach (var resource in resources)
        {
            if (!_resources.Contains(resource, StringComparer.Ordinal))
            {
                _resources.Add(resource);
            }
        }
    }

    /// <summary>Records a person's or entity's key looked up or served (as its keyed hash).</summary>
    public void Subject(string lakeRoot, string key)
    {
        var hash = AuditLog.SubjectHash(lakeRoot, key);
        if (!_subjects.Contains(hash, StringComparer.Ordinal))
        {
            _subjects.Add(hash);
        }
    }

    /// <summary>An event for an endpoint that does not require the party headers (deliveries, the operator's own
    /// endpoints, refusals): the agency from the key, end user and purpose when the caller sent them.</summary>
    public static AuditEvent EventOf(HttpContext context, string action, IReadOnlyList<string> resources, IReadOnlyList<string> subjects, long? rows, int status) =>
        new(RequestParty.AgencyOf(context.User)?.Code ?? "-",
            GovShare.Lake.QueryApi.Staff.StaffPrincipal.Account(context.User) ?? RequestParty.Optional(context, RequestParty.EndUserHeader),
            RequestParty.Optional(context, RequestParty.PurposeHeader), action, resources, null, subjects, rows, OutcomeOf(status), status);

    /// <summary>The outcome a status stands for.</summary>
    public static string OutcomeOf(int status) => status switch
    {
        < 400 => "allowed",
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => "denied",
        _ => "failed",
    };
}
