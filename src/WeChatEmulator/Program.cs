using ScanLogin.WeChatEmulator;

WeChatEmulatorApp.Build(args).Run();
