using System.Text.Json;
using GovShare.Lake.Access;
using GovShare.Lake.BaseDatabases;
using GovShare.Lake.Identifiers;
using GovShare.Lake.QueryApi.Access;
using GovShare.Lake.QueryApi.Engine;
using GovShare.Lake.QueryApi.Identity;
using GovShare.Lake.QueryApi.Quality;
using GovShare.Lake.QueryApi.Results;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GovShare.Lake.QueryApi.Lookups;

/// <summary><c>POST /api/lookup/person</c> body.</summary>
/// <param name="IdNumber">The resident identity number (18 characters; a 15-digit old number is upgraded).</param>
public sealed record PersonLookup(string? IdNumber);

/// <summary><c>POST /api/lookup/entity</c> body: one of the three keys.</summary>
/// <param name="Uscc">Unified social credit code.</param>
/// <param name="OrgCode">Organisation code (XXXXXXXX-Y).</param>
/// <param name="LicenceNo">Business licence registration number (15 digits).</param>
public sealed record EntityLookup(string? Uscc, string? OrgCode, string? LicenceNo);

/// <summary><c>POST /api/lookup/licence</c> body.</summary>
/// <param name="LicenceNo">The licence or certificate number.</param>
public sealed record LicenceLookup(string? LicenceNo);

/// <summary>A value one or more providers hold for an attribute.</summary>
/// <param name="Value">The value.</param>
/// <param name="Agencies">The agencies holding it.</param>
/// <param name="Datasets">Their datasets.</param>
public sealed record HeldValue(JsonElement Value, IReadOnlyList<string> Agencies, IReadOnlyList<string> Datasets);

/// <summary>An attribute of a consolidated record.</summary>
/// <param name="Value">The value the platform gives (the authoritative provider's, else the first provider's by dataset id).</param>
/// <param name="Agency">The agency it comes from.</param>
/// <param name="Dataset">The dataset it comes from.</param>
/// <param name="Version">That provider table's version.</param>
/// <param name="Authoritative">True when the agency is the catalogue's authority for the attribute.</param>
/// <param name="Values">Where providers disagree: every value and who holds it; otherwise null.</param>
/// <param name="UnderInvestigation">The open mismatch reports (reported or in verification) on this attribute of this
/// record, on entries the agency may read: the value is still served while a provider verifies it (PX 18). Left out when
/// there are none.</param>
public sealed record AttributeValue(JsonElement Value, string Agency, string Dataset, long Version, bool Authoritative, IReadOnlyList<HeldValue>? Values,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<Investigation>? UnderInvestigation = null);

/// <summary>A provider of a record.</summary>
/// <param name="Agency">The agency.</param>
/// <param name="Dataset">The dataset.</param>
/// <param name="Version">The provider table's version.</param>
public sealed record RecordProvider(string Agency, string Dataset, long Version);

/// <summary>One consolidated record.</summary>
/// <param name="Table">The base table (<c>population.persons</c>).</param>
/// <param name="Key">The record's key.</param>
/// <param name="Attributes">Each attribute some provider fills.</param>
/// <param name="Disagreements">The attributes providers disagree on.</param>
/// <param name="Providers">Who holds the record.</param>
/// <param name="UnderInvestigation">The attributes with an open mismatch report (<see cref="AttributeValue.UnderInvestigation"/>);
/// left out when there are none.</param>
public sealed record ConsolidatedRecord(
    string Table, string Key, IReadOnlyDictionary<string, AttributeValue> Attributes, IReadOnlyList<string> Disagreements, IReadOnlyList<RecordProvider> Providers,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? UnderInvestigation = null);

/// <summary>A lookup's answer.</summary>
/// <param name="Version">The lake version answered from.</param>
/// <param name="Record">The record.</param>
/// <param name="Licences">Licences and certificates the person or entity holds.</param>
/// <param name="Entities">Entities the person is recorded as legal representative of.</param>
/// <param name="Evidence">For a licence: the signed receipt of what was served (<c>GET /api/evidence/{id}</c> has the exact bytes).</param>
/// <param name="LicenceEvidence">A signed receipt for each licence served with a person or entity, in the order of <paramref name="Licences"/>.</param>
/// <param name="Withheld">What the platform holds on the key that the requesting agency may not read: the resource, the
/// attributes left out, why and how to request it.</param>
public sealed record LookupAnswer(long Version, ConsolidatedRecord Record, IReadOnlyList<ConsolidatedRecord> Licences, IReadOnlyList<ConsolidatedRecord> Entities,
    GovShare.Lake.Evidence.EvidenceReceipt? Evidence = null, IReadOnlyList<GovShare.Lake.Evidence.EvidenceReceipt>? LicenceEvidence = null,
    IReadOnlyList<WithheldResource>? Withheld = null);

/// <summary>A resource whose data on the key was left out of a lookup's answer.</summary>
/// <param name="Resource">The dataset.</param>
/// <param name="Attributes">The attributes left out (all of the resource's when it is not granted at all).</param>
/// <param name="Reason">Why.</param>
/// <param name="HowToRequest">How to obtain it.</param>
public sealed record WithheldResource(string Resource, IReadOnlyList<string> Attributes, string Reason, string HowToRequest);

/// <summary>A division and the places in it.</summary>
/// <param name="Version">The lake version answered from.</param>
/// <param name="Code">The division code.</param>
/// <param name="Periods">The code's rows in <c>geo.divisions</c> (one per period).</param>
/// <param name="Places">Places recorded in the division (at most 1 000).</param>
/// <param name="PlacesTruncated">True when there are more.</param>
public sealed record PlacesAnswer(long Version, string Code, IReadOnlyList<IReadOnlyDictionary<string, object?>> Periods,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Places, bool PlacesTruncated);

/// <summary>Key lookups: POST, so that ID numbers never appear in URLs or access logs.</summary>
public static class LookupApi
{
    private const int MaxPlaces = 1000;

    /// <summary>Maps the lookup endpoints.</summary>
    public static IEndpointRouteBuilder MapLookupApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api").WithTags("Lookups").RequireParty();
        group.MapPost("/lookup/person", LookupPerson)
            .WithName("LookupPerson")
            .WithSummary("A person's consolidated record by resident identity number, with their licences and the entities they represent");
        group.MapPost("/lookup/entity", LookupEntity)
            .WithName("LookupEntity")
            .WithSummary("An entity's consolidated record by unified social credit code, organisation code or business licence number, with its licences");
        group.MapPost("/lookup/licence", LookupLicence)
            .WithName("LookupLicence")
            .WithSummary("A licence or certificate by number");
        group.MapGet("/places/{divisionCode}", GetPlaces)
            .WithName("GetPlaces")
            .WithSummary("A division's periods in geo.divisions and the places recorded in it");
        return endpoints;
    }

    internal static Results<Ok<LookupAnswer>, ProblemHttpResult> LookupPerson(PersonLookup? request, LookupIndex index, HttpContext context, AccessPolicy policy, OpenMismatches mismatches,
        GovShare.Lake.Evidence.EvidenceVault vault, TimeProvider clock, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var check = IdentifierValidator.Default.CheckCitizen(request?.IdNumber ?? "");
        if (!check.IsValid)
        {
            return Invalid("idNumber", check);
        }

        var key = check.Normalized ?? check.Input;
        var (version, rows, authorities) = index.Find(key,
            ("self", LookupIndex.Persons, "key"), ("licence", LookupIndex.Licences, "holder_key"), ("entity", LookupIndex.Entities, "legal_rep_id_number"));
        var result = Answer(context, index, policy, mismatches, authorities, version, rows, BaseDatabaseCatalog.Persons, "no person with this identity number is recorded.");
        return WithLicenceReceipts(result, context, vault, clock, json.Value.SerializerOptions);
    }

    internal static Results<Ok<LookupAnswer>, ProblemHttpResult> LookupEntity(EntityLookup? request, LookupIndex index, HttpContext context, AccessPolicy policy, OpenMismatches mismatches,
        GovShare.Lake.Evidence.EvidenceVault vault, TimeProvider clock, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var given = new[] { ("uscc", request?.Uscc), ("orgCode", request?.OrgCode), ("licenceNo", request?.LicenceNo) }.Where(k => !string.IsNullOrWhiteSpace(k.Item2)).ToList();
        if (given.Count != 1)
        {
            return TypedResults.Problem("give exactly one of uscc, orgCode or licenceNo.", statusCode: StatusCodes.Status400BadRequest, title: "One key needed");
        }

        var (field, value) = given[0];
        var check = field switch
        {
            "uscc" => IdentifierValidator.Default.CheckUscc(value!),
            "orgCode" => IdentifierValidator.Default.CheckOrganisationCode(value!),
            _ => IdentifierValidator.Default.CheckLicence(value!),
        };
        if (!check.IsValid)
        {
            return Invalid(field, check);
        }

        var key = check.Normalized ?? check.Input;
        if (field != "uscc")
        {
            // Older keys lead to the entity's credit code; then the lookup is the same as by credit code.
            // Only through rows the agency may read, by a column it may read in clear: the link is data too.
            var column = field == "orgCode" ? "org_code" : "licence_reg_no";
            var (_, matches, _) = index.Find(key, ("self", LookupIndex.Entities, column));
            var profile = policy.For(context.Party().Agency);
            var usccs = matches.Where(m => profile.Dataset(m.Dataset) is { } access && access.Allows(column) && !access.Masked.Contains(column))
                .Select(m => m.Key).Distinct(StringComparer.Ordinal).ToList();
            if (usccs.Count > 1)
            {
                return TypedResults.Problem($"{usccs.Count} entities are recorded with this {field}: {string.Join(", ", usccs)}; look them up by unified social credit code.",
                    statusCode: StatusCodes.Status409Conflict, title: "Ambiguous key");
            }

            if (usccs.Count == 0)
            {
                return NotFound($"no entity with this {field} is recorded.");
            }

            key = usccs[0];
        }

        var (version, rows, authorities) = index.Find(key, ("self", LookupIndex.Entities, "key"), ("licence", LookupIndex.Licences, "holder_key"));
        var result = Answer(context, index, policy, mismatches, authorities, version, rows, BaseDatabaseCatalog.Entities, "no entity with this unified social credit code is recorded.");
        return WithLicenceReceipts(result, context, vault, clock, json.Value.SerializerOptions);
    }

    internal static Results<Ok<LookupAnswer>, ProblemHttpResult> LookupLicence(LicenceLookup? request, LookupIndex index, HttpContext context, AccessPolicy policy, OpenMismatches mismatches,
        GovShare.Lake.Evidence.EvidenceVault vault, TimeProvider clock, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var number = request?.LicenceNo?.Trim() ?? "";
        if (number.Length is 0 or > 64 || number.Any(char.IsControl))
        {
            return TypedResults.Problem("licenceNo must be 1 to 64 characters without control characters.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid licenceNo");
        }

        var (version, rows, authorities) = index.Find(number, ("self", LookupIndex.Licences, "key"));
        var result = Answer(context, index, policy, mismatches, authorities, version, rows, BaseDatabaseCatalog.Licences, "no licence with this number is recorded.");
        if (result.Result is not Ok<LookupAnswer> { Value: { } answer })
        {
            return result;
        }

        // A certificate served comes with a signed receipt of exactly what was served, to whom, when and why.
        // Serialised with the host's own settings: the bytes hashed are the bytes of the record in the answer.
        var content = JsonSerializer.SerializeToUtf8Bytes(answer.Record, json.Value.SerializerOptions);
        var party = context.Party();
        var receipt = vault.Issue(BaseDatabaseCatalog.Licences.QualifiedName, answer.Record.Key, answer.Version, party.Agency, party.EndUser, party.Purpose,
            content, clock.GetUtcNow());
        return TypedResults.Ok(answer with { Evidence = receipt });
    }

    internal static Results<Ok<PlacesAnswer>, ProblemHttpResult> GetPlaces(string divisionCode, LakeEngine engine, AccessPolicy policy, HttpContext context)
    {
        // Retired and changed codes are looked up too (their history is the point), so only the form is checked.
        if (divisionCode.Length != 6 || !divisionCode.All(char.IsAsciiDigit))
        {
            return TypedResults.Problem("divisionCode must be 6 digits (GB/T 2260).", statusCode: StatusCodes.Status400BadRequest, title: "Invalid key");
        }

        var profile = policy.For(context.Party().Agency);
        using var lease = engine.Pin(null, profile);
        if (AccessProblems.ForViews(["geo.places"], lease, profile) is { } denied)
        {
            return denied;
        }

        using var connection = engine.Connect(lease);
        var periods = Rows(connection, "SELECT * FROM geo.divisions WHERE code = $c ORDER BY valid_from", divisionCode, int.MaxValue, out _);
        var places = Rows(connection, $"SELECT * FROM geo.places WHERE division_code = $c ORDER BY place_id LIMIT {MaxPlaces + 1}", divisionCode, MaxPlaces, out var truncated);
        var audit = context.Audit();
        audit.Touch(["geo.divisions", "geo.places"]);
        audit.Rows = periods.Count + places.Count;
        return periods.Count == 0 && places.Count == 0
            ? NotFound("the division code is in neither geo.divisions nor geo.places.")
            : TypedResults.Ok(new PlacesAnswer(lease.Version, divisionCode, periods, places, truncated));
    }

    private static List<IReadOnlyDictionary<string, object?>> Rows(DuckDB.NET.Data.DuckDBConnection connection, string sql, string code, int max, out bool truncated)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("c", code));
        using var reader = command.ExecuteReader();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        truncated = false;
        while (reader.Read())
        {
            if (rows.Count == max)
            {
                truncated = true;
                break;
            }

            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    JsonValues.Write(writer, reader, i);
                }

                row[reader.GetName(i)] = JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A signed receipt for each licence served with a person or an entity (every retrieval of a certificate
    /// comes with one), over the exact bytes of that licence's record in the answer.</summary>
    private static Results<Ok<LookupAnswer>, ProblemHttpResult> WithLicenceReceipts(Results<Ok<LookupAnswer>, ProblemHttpResult> result, HttpContext context,
        GovShare.Lake.Evidence.EvidenceVault vault, TimeProvider clock, JsonSerializerOptions json)
    {
        if (result.Result is not Ok<LookupAnswer> { Value: { Licences.Count: > 0 } answer })
        {
            return result;
        }

        var party = context.Party();
        var now = clock.GetUtcNow();
        var receipts = answer.Licences.Select(licence => vault.Issue(BaseDatabaseCatalog.Licences.QualifiedName, licence.Key, answer.Version, party.Agency,
            party.EndUser, party.Purpose, JsonSerializer.SerializeToUtf8Bytes(licence, json), now)).ToList();
        return TypedResults.Ok(answer with { LicenceEvidence = receipts });
    }

    private static Results<Ok<LookupAnswer>, ProblemHttpResult> Answer(HttpContext context, LookupIndex index, AccessPolicy policy, OpenMismatches mismatches,
        LookupAuthorities authorities, long version, IReadOnlyList<ProviderRow> found, BaseTable table, string notFound)
    {
        // The sharing classes: rows of resources not granted are left out and named; granted rows lose the fields the
        // grant leaves out and are masked where it says so.
        var profile = policy.For(context.Party().Agency);
        var (rows, withheld, hidden, originalKeys) = Permitted(found, profile);

        // Open mismatch reports on a record's attributes, on entries the agency may read those attributes of (a report on
        // a resource it may not read would tell that the resource holds the record).
        IReadOnlyDictionary<string, IReadOnlyList<Investigation>> Open(BaseTable of, string key)
        {
            var open = mismatches.Of(of.QualifiedName, key);
            return open.Count == 0
                ? open
                : open.Select(a => (a.Key, Reports: a.Value.Where(i => profile.Dataset(i.EntryId) is { } grant && grant.Allows(a.Key)).ToList()))
                    .Where(a => a.Reports.Count > 0)
                    .ToDictionary(a => a.Key, a => (IReadOnlyList<Investigation>)a.Reports, StringComparer.Ordinal);
        }

        // The audit trail records whose data was looked up and served: the record's key and those of the persons and
        // entities served with it (a licence's holder, the entities a person represents), as keyed hashes of the stored
        // (unmasked) keys; the resources served and those withheld.
        var audit = context.Audit();
        audit.Touch(rows.Select(r => r.Part switch { "licence" => BaseDatabaseCatalog.Licences.QualifiedName, "entity" => BaseDatabaseCatalog.Entities.QualifiedName, _ => table.QualifiedName })
            .Append(table.QualifiedName).Concat(withheld.Select(w => "withheld:" + w.Resource)));

        // And whose data it was: the provider datasets served (the scorecards count each provider's use from these).
        audit.Touch(rows.Select(r => "src." + r.Dataset).Distinct(StringComparer.Ordinal));
        audit.Rows = rows.Count;
        foreach (var row in found.Where(r => !hidden.Contains(r)))
        {
            if (row.Part != "licence" && table != BaseDatabaseCatalog.Licences)
            {
                audit.Subject(index.LakeRoot, row.Key);
            }

            if ((row.Part == "licence" || table == BaseDatabaseCatalog.Licences) && row.Payload.TryGetProperty("holder_key", out var holder) && holder.GetString() is { } holderKey)
            {
                audit.Subject(index.LakeRoot, holderKey);
            }
        }

        var self = rows.Where(r => r.Part == "self").ToList();

        // A key held only in not-shared resources the agency may not read is not on record for it.
        if (found.FirstOrDefault(r => r.Part == "self" && !hidden.Contains(r)) is not { } any)
        {
            return NotFound(notFound);
        }

        // Held only by resources not granted: the key is on record, its attributes are withheld (and named below).
        var record = self.Count > 0
            ? Consolidate(table, self, authorities.Of(table), Open(table, any.Key))
            : new ConsolidatedRecord(table.QualifiedName, any.Key, new Dictionary<string, AttributeValue>(), [], []);
        var related = rows.Where(r => r.Part != "self").ToList();
        IReadOnlyDictionary<string, IReadOnlyList<Investigation>> OpenOf(BaseTable of, ProviderRow row) => Open(of, originalKeys.GetValueOrDefault(row) ?? row.Key);
        return TypedResults.Ok(new LookupAnswer(
            version,
            record,
            Group(related.Where(r => r.Part == "licence"), BaseDatabaseCatalog.Licences, authorities, OpenOf),
            Group(related.Where(r => r.Part == "entity"), BaseDatabaseCatalog.Entities, authorities, OpenOf),
            Withheld: withheld.Count == 0 ? null : withheld));
    }

    /// <summary>The columns a related part was found by: a grant that leaves the column out must not reveal the link.</summary>
    private static readonly Dictionary<string, string> LinkColumns = new(StringComparer.Ordinal) { ["licence"] = "holder_key", ["entity"] = "legal_rep_id_number" };

    /// <summary>The key attribute of each related part, masked in the answer's keys when a grant masks it.</summary>
    private static readonly Dictionary<string, string> PartKeys = new(StringComparer.Ordinal) { ["licence"] = "licence_no", ["entity"] = "uscc" };

    // Originals: the stored key of each permitted row whose key the grant masks.
    private static (List<ProviderRow> Rows, List<WithheldResource> Withheld, HashSet<ProviderRow> Hidden, Dictionary<ProviderRow, string> Originals) Permitted(
        IReadOnlyList<ProviderRow> rows, AccessProfile profile)
    {
        var permitted = new List<ProviderRow>(rows.Count);
        var hidden = new HashSet<ProviderRow>(ReferenceEqualityComparer.Instance);
        var originals = new Dictionary<ProviderRow, string>(ReferenceEqualityComparer.Instance);
        var withheld = new Dictionary<string, (HashSet<string> Attributes, string Reason, string How)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (profile.Dataset(row.Dataset) is not { } access)
            {
                var denial = profile.Denied.GetValueOrDefault(row.Dataset);
                if (denial is null || denial.Class == GovShare.Lake.Catalogue.SharingClass.NotShared)
                {
                    // Not shared: that the key is in the resource at all is withheld too.
                    hidden.Add(row);
                    continue;
                }

                var entry = withheld.TryGetValue(row.Dataset, out var known) ? known
                    : (Attributes: new HashSet<string>(StringComparer.Ordinal), Reason: denial.Reason, How: denial.HowToRequest);
                entry.Attributes.UnionWith(Attributes(row.Payload));
                withheld[row.Dataset] = entry;
                continue;
            }

            if (access.IsFull)
            {
                permitted.Add(row);
                continue;
            }

            // A related record found through a field the agency may not read in clear would reveal that field.
            if (LinkColumns.TryGetValue(row.Part, out var link) && (!access.Allows(link) || access.Masked.Contains(link)))
            {
                hidden.Add(row);
                continue;
            }

            var left = Attributes(row.Payload).Where(a => !access.Allows(a) && a != row.Key).ToList();
            if (left.Count > 0)
            {
                var entry = withheld.TryGetValue(row.Dataset, out var known) ? known
                    : (Attributes: new HashSet<string>(StringComparer.Ordinal), Reason: $"the grant for {row.Dataset} does not include these fields.",
                        How: $"request them: POST /api/access-requests {{\"entryId\": \"{row.Dataset}\", \"fields\": [...], \"purpose\": \"...\"}}.");
                entry.Attributes.UnionWith(left);
                withheld[row.Dataset] = entry;
            }

            var key = PartKeys.TryGetValue(row.Part, out var keyAttribute) && access.Masked.Contains(keyAttribute) ? FieldMask.Mask(keyAttribute, row.Key) : row.Key;
            var restricted = row with { Key = key, Payload = Restrict(row.Payload, access) };
            permitted.Add(restricted);
            if (!ReferenceEquals(key, row.Key))
            {
                originals[restricted] = row.Key;
            }
        }

        return (permitted, withheld.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => new WithheldResource(w.Key, w.Value.Attributes.Order(StringComparer.Ordinal).ToList(), w.Value.Reason, w.Value.How)).ToList(), hidden, originals);
    }

    private static IEnumerable<string> Attributes(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object
            ? payload.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).Select(p => p.Name)
            : [];

    private static JsonElement Restrict(JsonElement payload, ResourceAccess access)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in payload.EnumerateObject())
            {
                if (!access.Allows(property.Name) && property.Value.ValueKind != JsonValueKind.Null && BaseTable.ProvenanceColumns.All(c => c.Name != property.Name))
                {
                    continue;
                }

                if (access.Masked.Contains(property.Name) && property.Value.ValueKind is not JsonValueKind.Null)
                {
                    var raw = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    writer.WriteString(property.Name, FieldMask.Mask(property.Name, raw));
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    private static List<ConsolidatedRecord> Group(IEnumerable<ProviderRow> rows, BaseTable table, LookupAuthorities all,
        Func<BaseTable, ProviderRow, IReadOnlyDictionary<string, IReadOnlyList<Investigation>>> open)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return [];
        }

        var authorities = all.Of(table);
        return list.GroupBy(r => r.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Consolidate(table, g.ToList(), authorities, open(table, g.First()))).ToList();
    }

    /// <summary>The same rule as the consolidated views: the authority's value first, then the providers by dataset id;
    /// every distinct value kept where they disagree. Attributes with open mismatch reports (<paramref name="open"/>) are
    /// marked under investigation.</summary>
    internal static ConsolidatedRecord Consolidate(BaseTable table, IReadOnlyList<ProviderRow> rows, IReadOnlyDictionary<string, IReadOnlySet<string>> authorities,
        IReadOnlyDictionary<string, IReadOnlyList<Investigation>>? open = null)
    {
        var ordered = rows.OrderBy(r => r.Dataset, StringComparer.Ordinal).ToList();
        var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        var disagreements = new List<string>();
        foreach (var attribute in table.Attributes.Where(a => a.Name != table.Key))
        {
            var held = ordered
                .Select(r => (Row: r, Value: r.Payload.TryGetProperty(attribute.Name, out var v) ? v : default))
                .Where(h => h.Value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
                .ToList();
            if (held.Count == 0)
            {
                continue;
            }

            bool IsAuthority(ProviderRow row) => authorities.TryGetValue(row.Dataset, out var set) && set.Contains(attribute.Name);
            var chosen = held.OrderBy(h => IsAuthority(h.Row) ? 0 : 1).First();
            var distinct = held.GroupBy(h => h.Value.GetRawText(), StringComparer.Ordinal).ToList();
            IReadOnlyList<HeldValue>? values = null;
            if (distinct.Count > 1)
            {
                disagreements.Add(attribute.Name);
                values = distinct.Select(g => new HeldValue(g.First().Value, g.Select(h => h.Row.Agency).ToList(), g.Select(h => h.Row.Dataset).ToList())).ToList();
            }

            attributes[attribute.Name] = new AttributeValue(chosen.Value, chosen.Row.Agency, chosen.Row.Dataset, chosen.Row.TableVersion, IsAuthority(chosen.Row), values,
                open?.GetValueOrDefault(attribute.Name));
        }

        var investigated = open is null ? null : attributes.Keys.Where(open.ContainsKey).Order(StringComparer.Ordinal).ToList();
        return new ConsolidatedRecord(table.QualifiedName, rows[0].Key, attributes, disagreements,
            ordered.Select(r => new RecordProvider(r.Agency, r.Dataset, r.TableVersion)).ToList(), investigated is { Count: > 0 } ? investigated : null);
    }

    private static ProblemHttpResult Invalid(string field, IdentifierCheck check) =>
        TypedResults.Problem($"{field} is not valid: {check.Reason ?? check.Problem.ToString()}" + (check.Position is { } p ? $" (at character {p + 1})" : ""),
            statusCode: StatusCodes.Status400BadRequest, title: "Invalid key",
            extensions: new Dictionary<string, object?> { ["field"] = field, ["problem"] = check.Problem.ToString() });

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");
}

/// <summary>Source-generated serialisation of the lookup bodies and answers: lookups are the hot path, and reflection
/// serialisation of a nested answer costs a good share of a lookup's time.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(LookupAnswer))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ConsolidatedRecord))]
[System.Text.Json.Serialization.JsonSerializable(typeof(PersonLookup))]
[System.Text.Json.Serialization.JsonSerializable(typeof(EntityLookup))]
[System.Text.Json.Serialization.JsonSerializable(typeof(LicenceLookup))]
[System.Text.Json.Serialization.JsonSerializable(typeof(PlacesAnswer))]
[System.Text.Json.Serialization.JsonSerializable(typeof(WithheldResource))]
internal sealed partial class LookupJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
