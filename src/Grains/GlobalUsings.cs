global using Orleans.Concurrency;
global using ScanLogin.Grains.Interfaces;
global using Orleans.Runtime;
