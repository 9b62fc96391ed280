await ScanLogin.OperatorConsole.ConsoleApp.Create(args).RunAsync();
