using GovShare.Lake.QueryApi;

// Program only wires; `./govshare serve` builds the same application through QueryApiHost.
var app = QueryApiHost.Build(args);
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
