using System.Text.Json.Nodes;
using ScanLogin.Grains.QrCodes;
using Xunit;

namespace ScanLogin.FunctionalTests.MiniProgram;

/// <summary>The server and the mini program in src/MiniProgram agree on where a code lands.</summary>
public sealed class MiniProgramProjectTests
{
    [Fact]
    public void Mini_program_codes_open_the_confirm_page_the_mini_program_has()
    {
        var app = JsonNode.Parse(File.ReadAllText(Path.Combine(MiniProgramRoot(), "app.json")))!;
        var pages = app["pages"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();

        Assert.Contains(new QrOptions().MiniProgramPage, pages);
        Assert.Equal("pages/confirm/confirm", new QrOptions().MiniProgramPage);
    }

    private static string MiniProgramRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var root = Path.Combine(dir.FullName, "src", "MiniProgram", "miniprogram");
            if (File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln")) && Directory.Exists(root)) return root;
        }
        throw new DirectoryNotFoundException("src/MiniProgram not found above " + AppContext.BaseDirectory);
    }
}
