using ScanLogin.Silo;

await SiloBuilder.Create(args).Build().RunAsync();
