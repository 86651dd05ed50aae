using GovShare.Lake.Identifiers;

namespace GovShare.Lake.BaseDatabases;

/// <summary>The four base databases (DOMAIN.md: GZ 11, PX 10, ZZ 12) and the names analysts type every
/// day: <c>population.persons</c>, <c>legal_entity.entities</c>, <c>geo.divisions</c>, <c>geo.places</c>,
/// <c>licence.licences</c>. docs/schemas.md is generated from these definitions' content.</summary>
public static class BaseDatabaseCatalog
{
    /// <summary>Natural persons, keyed by resident identity number.</summary>
    public static BaseTable Persons { get; } = new(
        "population", "persons", "id_number", IdentifierKind.Citizen,
        [
            new("id_number", "string", "公民身份号码", "Resident identity number (GB 11643, 18 characters)"),
            new("name", "string", "姓名", "Name"),
            new("former_names", "string", "曾用名", "Former names, separated by ';'"),
            new("sex", "string", "性别", "Sex", ["male", "female"]),
            new("birth_date", "date", "出生日期", "Date of birth"),
            new("ethnicity", "string", "民族", "Ethnic group (GB/T 3304 name)"),
            new("nationality", "string", "国籍", "Nationality (ISO 3166 alpha-3; CHN for citizens)"),
            new("household_division", "string", "户籍地行政区划代码", "Division code of the household registration (GB/T 2260)"),
            new("household_address", "string", "户籍地址", "Household registration address"),
            new("residence_address", "string", "居住地址", "Current residence address"),
            new("marital_status", "string", "婚姻状况", "Marital status", ["unmarried", "married", "divorced", "widowed"]),
            new("education", "string", "文化程度", "Highest education"),
            new("phone", "string", "联系电话", "Contact phone number"),
            new("status", "string", "人口状态", "Status", ["alive", "deceased", "emigrated"]),
            new("status_date", "date", "状态变更日期", "Date the status took effect (death, emigration)"),
        ],
        "人口基础信息库", "Population base database: natural persons");

    /// <summary>Legal persons and other market entities, keyed by unified social credit code.</summary>
    public static BaseTable Entities { get; } = new(
        "legal_entity", "entities", "uscc", IdentifierKind.Uscc,
        [
            new("uscc", "string", "统一社会信用代码", "Unified social credit code (GB 32100, 18 characters)"),
            new("org_code", "string", "组织机构代码", "Organisation code (GB 11714, XXXXXXXX-Y)"),
            new("licence_reg_no", "string", "营业执照注册号", "Business licence registration number (15 digits)"),
            new("name", "string", "名称", "Registered name"),
            new("entity_type", "string", "主体类型", "Entity type", ["enterprise", "individual_business", "farmers_cooperative", "public_institution", "social_organisation", "government_agency", "other"]),
            new("legal_rep_name", "string", "法定代表人姓名", "Legal representative's name"),
            new("legal_rep_id_number", "string", "法定代表人身份号码", "Legal representative's resident identity number"),
            new("registered_capital", "decimal(20,2)", "注册资本", "Registered capital, in the currency below"),
            new("capital_currency", "string", "注册资本币种", "Currency of the registered capital (ISO 4217, CNY by default)"),
            new("established_date", "date", "成立日期", "Date of establishment"),
            new("status", "string", "登记状态", "Registration status", ["active", "revoked", "cancelled", "moved_out"]),
            new("registered_address", "string", "住所", "Registered address"),
            new("registered_division", "string", "住所行政区划代码", "Division code of the registered address"),
            new("business_scope", "string", "经营范围", "Business scope"),
            new("registration_authority", "string", "登记机关", "Registering authority"),
        ],
        "法人单位基础信息库", "Legal entity base database: legal persons and market entities");

    /// <summary>Administrative divisions with their validity periods, seeded from the GB/T 2260 history.</summary>
    public static BaseTable Divisions { get; } = new(
        "geo", "divisions", "code", IdentifierKind.Division,
        [
            new("code", "string", "行政区划代码", "Division code (GB/T 2260)"),
            new("name", "string", "名称", "Name in the period"),
            new("level", "string", "级别", "Level", ["province", "prefecture", "county"]),
            new("province", "string", "省级名称", "Province-level name"),
            new("prefecture", "string", "地级名称", "Prefecture-level name (empty where directly administered)"),
            new("parent_code", "string", "上级代码", "Code of the division above, in the period"),
            new("valid_from", "integer", "启用年份", "First year the code held this name"),
            new("valid_to", "integer", "停用年份", "Last year (empty while in use)"),
            new("status", "string", "状态", "Status", ["in_use", "retired", "changed"]),
            new("replacement_codes", "string", "新代码", "Codes that took over, ';'-separated, with a [year] where it differs"),
        ],
        "行政区划", "Geo base database: administrative divisions (one row per code and period)");

    /// <summary>Places and addresses with their division and coordinates.</summary>
    public static BaseTable Places { get; } = new(
        "geo", "places", "place_id", null,
        [
            new("place_id", "string", "地点编码", "Place identifier assigned by the providing agency"),
            new("name", "string", "名称", "Name of the place (building, parcel, facility)"),
            new("address", "string", "标准地址", "Standard address"),
            new("division_code", "string", "行政区划代码", "Division code (GB/T 2260)"),
            new("longitude", "double", "经度", "Longitude, CGCS2000 degrees"),
            new("latitude", "double", "纬度", "Latitude, CGCS2000 degrees"),
            new("land_use", "string", "用途", "Land use or place category"),
            new("area_m2", "double", "面积（平方米）", "Area in square metres"),
        ],
        "地点与地址", "Geo base database: places and addresses");

    /// <summary>Electronic certificates and licences, keyed by licence number.</summary>
    public static BaseTable Licences { get; } = new(
        "licence", "licences", "licence_no", null,
        [
            new("licence_no", "string", "证照编号", "Licence or certificate number, unique per issuing agency's type"),
            new("licence_type", "string", "证照类型", "Type of licence or certificate"),
            new("holder_key", "string", "持证主体代码", "The holder's key: resident identity number or unified social credit code"),
            new("holder_kind", "string", "持证主体类型", "Kind of holder key", ["citizen", "uscc", "org", "licence"]),
            new("holder_name", "string", "持证主体名称", "The holder's name as printed"),
            new("issuing_agency", "string", "发证机关", "Issuing agency"),
            new("issue_date", "date", "发证日期", "Date of issue"),
            new("expiry_date", "date", "有效期至", "Valid until (empty: no expiry)"),
            new("status", "string", "证照状态", "Status", ["valid", "expired", "revoked", "suspended"]),
            new("scope", "string", "许可范围", "Scope of the permission"),
            new("seal", "string", "电子印章", "The issuer's electronic seal or signature over the licence data (base64)"),
        ],
        "电子证照库", "Licence base database: electronic certificates and licences");

    /// <summary>Every base table.</summary>
    public static IReadOnlyList<BaseTable> All { get; } = [Persons, Entities, Divisions, Places, Licences];

    /// <summary>The base table with this qualified name (<c>population.persons</c>), or null.</summary>
    public static BaseTable? Find(string qualifiedName) =>
        All.FirstOrDefault(t => string.Equals(t.QualifiedName, qualifiedName, StringComparison.OrdinalIgnoreCase));
}
