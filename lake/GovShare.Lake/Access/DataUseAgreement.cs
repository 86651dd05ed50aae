namespace GovShare.Lake.Access;

/// <summary>The data-use and protection agreement a consumer accepts before first obtaining a conditional or
/// not-shared resource (XY 24), one text for the platform with the resource named at acceptance. A new version
/// needs a new acceptance: grants accepted under an older version stop until the consumer accepts again.</summary>
public static class DataUseAgreement
{
    /// <summary>The version in force.</summary>
    public const string Version = "2026-1";

    /// <summary>The terms, in Chinese.</summary>
    public const string TextZh =
        "一、共享数据仅用于本部门依法履行职责，不得用于其他目的（郑州办法第二十条、广州办法第二十五条）。\n" +
        "二、不得用于任何商业用途，不得向社会公开，未经提供部门同意不得向第三方提供或再共享（濮阳办法第十七条、信阳办法第十六条、第十七条）。\n" +
        "三、按照申请时载明的用途和字段使用，落实数据安全保护措施，防止泄露、篡改和滥用。\n" +
        "四、每次访问均记录审计日志；违反本协议的，平台可撤销授权并依法追究责任。";

    /// <summary>The terms, in English.</summary>
    public const string TextEn =
        "1. Shared data is used only for this agency's own statutory duties and for no other purpose (ZZ 20, GZ 25).\n" +
        "2. No commercial use, no publication, and no onward provision or sharing without the provider's consent (PX 17, XY 16-17).\n" +
        "3. Use is limited to the purpose and fields stated in the request, with security measures against leaks, tampering and misuse.\n" +
        "4. Every access is audited; a breach lets the platform revoke the grant, and the law takes its course.";
}
