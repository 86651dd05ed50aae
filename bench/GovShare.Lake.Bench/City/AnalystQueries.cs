using System.Globalization;

namespace GovShare.Lake.Bench.City;

/// <summary>An analyst's question over the base databases' consolidated views (docs/schemas.md).</summary>
/// <param name="Id">A short name.</param>
/// <param name="Question">What it answers.</param>
/// <param name="Sql">The statement, the same on both sides.</param>
internal sealed record AnalystQuery(string Id, string Question, string Sql);

/// <summary>The fixed set of analyst queries the city-scale run times through <c>/api/query</c> and in DuckDB. Dates are
/// fixed per run (the reference day is the run's day), so that both sides answer the same.</summary>
internal static class AnalystQueries
{
    private const string Age = "date_diff('year', birth_date, DATE '2026-01-01')";

    public static IReadOnlyList<AnalystQuery> For(DateOnly today)
    {
        var quarter = new DateOnly(today.Year, ((today.Month - 1) / 3 * 3) + 1, 1);
        var next = quarter.AddMonths(3);
        var after = next.AddMonths(3);
        string Date(DateOnly day) => "DATE '" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'";
        return
        [
            new("population-by-district-age", "residents alive by household division and age band",
                $"""
                SELECT household_division,
                       CASE WHEN age < 18 THEN '0-17' WHEN age < 35 THEN '18-34' WHEN age < 60 THEN '35-59' ELSE '60+' END AS age_band,
                       count(*) AS residents
                FROM (SELECT household_division, {Age} AS age FROM population.persons WHERE status = 'alive') p
                GROUP BY 1, 2 ORDER BY 1, 2
                """),
            new("age-pyramid", "residents alive by sex and five-year age group",
                $"SELECT sex, ({Age} // 5) * 5 AS age_from, count(*) AS residents FROM population.persons WHERE status = 'alive' GROUP BY 1, 2 ORDER BY 1, 2"),
            new("marital-status-by-district", "persons by household division and marital status",
                "SELECT household_division, marital_status, count(*) AS persons FROM population.persons GROUP BY 1, 2 ORDER BY 1, 2"),
            new("entities-by-type-district", "entities by type and registered division, and how many are active",
                "SELECT entity_type, registered_division, count(*) AS entities, count(*) FILTER (WHERE status = 'active') AS active " +
                "FROM legal_entity.entities GROUP BY 1, 2 ORDER BY 1, 2"),
            new("entities-established-per-year", "entities established per year since 2010, by type",
                "SELECT year(established_date) AS established, entity_type, count(*) AS entities FROM legal_entity.entities " +
                "WHERE established_date >= DATE '2010-01-01' GROUP BY 1, 2 ORDER BY 1, 2"),
            new("capital-by-district", "active enterprises and their registered capital by division",
                "SELECT registered_division, count(*) AS enterprises, CAST(sum(registered_capital) AS DOUBLE) AS capital " +
                "FROM legal_entity.entities WHERE status = 'active' AND entity_type = 'enterprise' GROUP BY 1 ORDER BY 1"),
            new("licences-expiring-next-quarter", "valid licences expiring next quarter, by type and issuer",
                $"SELECT licence_type, issuing_agency, count(*) AS expiring FROM licence.licences WHERE status = 'valid' " +
                $"AND expiry_date >= {Date(next)} AND expiry_date < {Date(after)} GROUP BY 1, 2 ORDER BY 1, 2"),
            new("licences-by-holder-status", "licences by kind of holder, type and status",
                "SELECT holder_kind, licence_type, status, count(*) AS licences FROM licence.licences GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
            new("citizens-with-several-licences", "citizens holding two or more valid licences",
                "SELECT count(*) AS holders, CAST(coalesce(sum(n), 0) AS BIGINT) AS licences FROM (SELECT holder_key, count(*) AS n FROM licence.licences " +
                "WHERE holder_kind = 'citizen' AND status = 'valid' GROUP BY 1 HAVING count(*) >= 2) t"),
            new("deceased-representatives-of-active-entities", "legal representatives recorded as deceased whose entities are still active, by division",
                "SELECT e.registered_division, count(*) AS active_entities, count(DISTINCT e.legal_rep_id_number) AS deceased_representatives " +
                "FROM legal_entity.entities e JOIN population.persons p ON p.id_number = e.legal_rep_id_number " +
                "WHERE p.status = 'deceased' AND e.status = 'active' GROUP BY 1 ORDER BY 1"),
            new("places-by-division-use", "places and their area by division and land use",
                "SELECT division_code, land_use, count(*) AS places, CAST(sum(area_m2) AS DOUBLE) AS area_m2 FROM geo.places GROUP BY 1, 2 ORDER BY 1, 2"),
            new("residents-licences-representatives", "per division and age band: residents, own valid licences, active entities represented and their licences",
                QueryApiBenchmark.FederatedSql),
        ];
    }
}
