using System.Text.Json.Nodes;
using GovShare.Lake.Catalogue;

namespace GovShare.Lake.QueryApi.Catalogue;

/// <summary>The catalogue as DCAT-AP (W3C DCAT with the EU application profile's controlled vocabularies) in JSON-LD,
/// so that other catalogues (national, provincial) can harvest it.</summary>
public static class DcatCatalogue
{
    private const string AccessRights = "http://publications.europa.eu/resource/authority/access-right/";
    private const string Frequency = "http://publications.europa.eu/resource/authority/frequency/";

    /// <summary>The JSON-LD document for the resources, with URLs under <paramref name="baseUrl"/>.</summary>
    public static JsonObject Build(IReadOnlyList<CatalogueSummary> resources, string baseUrl)
    {
        var datasets = new JsonArray();
        foreach (var resource in resources)
        {
            var dataset = new JsonObject
            {
                ["@id"] = $"{baseUrl}/api/catalogue/{Uri.EscapeDataString(resource.Id)}",
                ["@type"] = "dcat:Dataset",
                ["dct:identifier"] = resource.Id,
                ["dct:title"] = Texts(resource.Name),
                ["dct:publisher"] = new JsonObject
                {
                    ["@id"] = $"urn:govshare:agency:{Uri.EscapeDataString(resource.Agency.Code)}",
                    ["@type"] = "foaf:Agent",
                    ["dct:identifier"] = resource.Agency.Code,
                    ["foaf:name"] = Texts(resource.Agency.Name),
                },
                ["dct:accessRights"] = new JsonObject { ["@id"] = AccessRights + resource.SharingClass switch
                {
                    "unconditional" => "PUBLIC",
                    "conditional" => "RESTRICTED",
                    _ => "NON_PUBLIC",
                } },
                ["govshare:sharingClass"] = resource.SharingClass,
                ["govshare:baseDatabase"] = resource.BaseDatabase,
                ["dcat:keyword"] = new JsonArray(resource.Themes.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
                ["dcat:distribution"] = Distributions(resource, baseUrl),
            };
            if (resource.Description is { Length: > 0 } description)
            {
                dataset["dct:description"] = description;
            }

            if (resource.LegalBasis is { Length: > 0 } legalBasis)
            {
                dataset["dct:rights"] = new JsonObject { ["@type"] = "dct:RightsStatement", ["rdfs:label"] = legalBasis };
            }

            if (resource.UpdateDeadline is { } deadline)
            {
                dataset["dct:accrualPeriodicity"] = new JsonObject { ["@id"] = Frequency + deadline switch
                {
                    "real_time" => "CONT",
                    "quarterly" => "QUARTERLY",
                    _ => "DAILY",
                } };
                dataset["govshare:updateDeadline"] = deadline;
            }

            // A refused or failed delivery changed nothing, so only a committed one dates a change.
            if (resource.LastDelivery is { Status: "committed" } delivery)
            {
                dataset["dct:modified"] = new JsonObject { ["@value"] = delivery.FinishedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ["@type"] = "xsd:dateTime" };
            }

            datasets.Add(dataset);
        }

        return new JsonObject
        {
            ["@context"] = new JsonObject
            {
                ["dcat"] = "http://www.w3.org/ns/dcat#",
                ["dct"] = "http://purl.org/dc/terms/",
                ["foaf"] = "http://xmlns.com/foaf/0.1/",
                ["rdfs"] = "http://www.w3.org/2000/01/rdf-schema#",
                ["xsd"] = "http://www.w3.org/2001/XMLSchema#",
                ["govshare"] = $"{baseUrl}/ns#",
            },
            ["@id"] = $"{baseUrl}/api/catalogue.jsonld",
            ["@type"] = "dcat:Catalog",
            ["dct:title"] = Texts(new LocalizedName("政务信息资源共享目录", "Government information resource sharing catalogue")),
            ["dcat:dataset"] = datasets,
        };
    }

    private static JsonArray Distributions(CatalogueSummary resource, string baseUrl)
    {
        var distributions = new JsonArray();
        if (resource.Kind == "theme")
        {
            foreach (var (format, media) in new[] { ("parquet", "application/vnd.apache.parquet"), ("csv", "text/csv"), ("arrow", "application/vnd.apache.arrow.stream"), ("jsonl", "application/x-ndjson") })
            {
                distributions.Add(new JsonObject
                {
                    ["@type"] = "dcat:Distribution",
                    ["dcat:downloadURL"] = new JsonObject { ["@id"] = $"{baseUrl}/api/themes/{Uri.EscapeDataString(resource.Id)}/export?format={format}" },
                    ["dcat:mediaType"] = media,
                });
            }
        }
        else
        {
            distributions.Add(new JsonObject
            {
                ["@type"] = "dcat:Distribution",
                ["dcat:accessURL"] = new JsonObject { ["@id"] = $"{baseUrl}/api/query" },
                ["dct:description"] = $"SQL over src.\"{resource.Id}\" and {resource.Target} through POST /api/query",
                ["dcat:mediaType"] = "application/json",
            });
        }

        return distributions;
    }

    private static JsonArray Texts(LocalizedName name) =>
    [
        new JsonObject { ["@value"] = name.Zh, ["@language"] = "zh" },
        new JsonObject { ["@value"] = name.En, ["@language"] = "en" },
    ];
}
