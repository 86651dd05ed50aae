using GovShare.Lake.Catalogue;

namespace GovShare.Lake.Ingestion.Sample;

/// <summary>The demo city's thematic datasets (PX 10): social security, credit, food and drug safety, urban
/// construction, each one SELECT over the base databases.</summary>
public static class DemoThemes
{
    private static readonly AgencyRef Operator = new("operator", new LocalizedName("市大数据管理局", "Municipal Big Data Administration"));

    /// <summary>Every demo theme.</summary>
    public static IReadOnlyList<ThemeDefinition> All { get; } =
    [
        new()
        {
            Id = "social_security",
            Name = new LocalizedName("社会保障主题库", "Social security"),
            Description = "Residents with their household registration, status and contact details, for benefit eligibility checks.",
            Agency = Operator,
            KeyColumn = "id_number",
            Sources = ["population.persons"],
            Sharing = new SharingSpec { Class = SharingClass.Conditional, LegalBasis = "《社会保险法》第七十四条", Conditions = "social insurance and assistance agencies" },
            Sql = """
                SELECT p.id_number, p.name, p.sex, p.birth_date, p.household_division, p.residence_address, p.phone, p.status, p.status_date
                FROM population.persons p
                """,
        },
        new()
        {
            Id = "credit",
            Name = new LocalizedName("信用信息主题库", "Credit"),
            Description = "Entities with registration status, legal representative and their licences by status, for credit assessment.",
            Agency = Operator,
            KeyColumn = "uscc",
            Sources = ["legal_entity.entities", "licence.licences"],
            Sql = """
                SELECT e.uscc, e.name, e.entity_type, e.status, e.legal_rep_name, e.registered_capital, e.established_date, e.registered_division,
                       count(l.licence_no) FILTER (WHERE l.status = 'valid') AS valid_licences,
                       count(l.licence_no) FILTER (WHERE l.status IN ('revoked', 'suspended')) AS revoked_or_suspended_licences
                FROM legal_entity.entities e
                LEFT JOIN licence.licences l ON l.holder_key = e.uscc
                GROUP BY ALL
                """,
        },
        new()
        {
            Id = "food_drug_safety",
            Name = new LocalizedName("食品药品安全主题库", "Food and drug safety"),
            Description = "Entities whose business scope covers food, drugs or medical devices, with their business licences.",
            Agency = Operator,
            KeyColumn = "uscc",
            Sources = ["legal_entity.entities", "licence.licences"],
            Sql = """
                SELECT e.uscc, e.name, e.status, e.registered_division, e.business_scope,
                       string_agg(l.licence_no, ';' ORDER BY l.licence_no) AS business_licences,
                       bool_or(l.status = 'valid') AS has_valid_licence
                FROM legal_entity.entities e
                LEFT JOIN licence.licences l ON l.holder_key = e.uscc AND l.licence_type = '营业执照'
                WHERE e.business_scope LIKE '%食品%' OR e.business_scope LIKE '%药品%' OR e.business_scope LIKE '%医疗器械%'
                GROUP BY ALL
                """,
        },
        new()
        {
            Id = "urban_construction",
            Name = new LocalizedName("城乡建设主题库", "Urban construction"),
            Description = "Construction enterprises' qualification certificates with the enterprise and the division it is registered in.",
            Agency = Operator,
            KeyColumn = "licence_no",
            Sources = ["licence.licences", "legal_entity.entities", "geo.divisions"],
            Sql = """
                SELECT l.licence_no, l.licence_type, l.scope, l.status, l.issue_date, l.expiry_date,
                       l.holder_key AS uscc, e.name AS enterprise, e.registered_division, d.name AS division_name
                FROM licence.licences l
                LEFT JOIN legal_entity.entities e ON e.uscc = l.holder_key
                LEFT JOIN geo.divisions d ON d.code = e.registered_division AND d.valid_to IS NULL
                WHERE l.licence_type LIKE '%资质%'
                """,
        },
    ];
}
