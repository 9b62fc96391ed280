using System.Text.RegularExpressions;
using ScanLogin.WeChatEmulator;
using Xunit;

namespace ScanLogin.UnitTests.Deploy;

/// <summary>Rules the shell scripts under deploy/ must keep, read from the scripts themselves.</summary>
public sealed partial class DeployScriptTests
{
    private static string Repository { get; } = FindRepository();

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No ScanLogin.sln above {AppContext.BaseDirectory}.");
    }

    private static string Script(string name) => File.ReadAllText(Path.Combine(Repository, "deploy", name));

    [Fact]
    public void The_run_commands_default_ports_lie_below_linuxs_ephemeral_range()
    {
        // An outgoing connection may hold any port of 32768-60999 (Linux's default ephemeral range) when the run starts.
        var defaults = DefaultPort().Matches(Script("run.sh")).Select(m => (Name: m.Groups[1].Value, Port: int.Parse(m.Groups[2].Value))).ToList();
        Assert.Contains(defaults, d => d.Name == "PG");
        Assert.Contains(defaults, d => d.Name == "REDIS");
        Assert.All(defaults, d => Assert.True(d.Port < 32768, $"SCANLOGIN_{d.Name}_PORT defaults to {d.Port}, inside the ephemeral range"));
    }

    [Fact]
    public void The_scripts_name_the_emulators_mini_program_once_and_as_the_emulator_does()
    {
        var lib = Script("lib.sh");
        Assert.Contains($"EMULATOR_APP_ID={WeChatEmulatorApp.DefaultAppId}\n", lib);
        Assert.Contains($"EMULATOR_APP_SECRET={WeChatEmulatorApp.DefaultAppSecret}\n", lib);
        foreach (var script in Directory.GetFiles(Path.Combine(Repository, "deploy"), "*.sh").Where(f => Path.GetFileName(f) != "lib.sh"))
        {
            var text = File.ReadAllText(script);
            Assert.DoesNotContain(WeChatEmulatorApp.DefaultAppId, text);
            Assert.DoesNotContain(WeChatEmulatorApp.DefaultAppSecret, text);
        }
    }

    [GeneratedRegex(@"SCANLOGIN_([A-Z]+)_PORT:-([0-9]+)")]
    private static partial Regex DefaultPort();
}
