using ConnBurst.Cli;

return await CliApp.RunAsync(args);
