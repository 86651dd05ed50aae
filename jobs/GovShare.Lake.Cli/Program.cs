using GovShare.Lake.Cli;

return await GovShareCli.RunAsync(args, CliConsole.FromSystem());
