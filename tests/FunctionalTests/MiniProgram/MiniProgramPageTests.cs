using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace ScanLogin.FunctionalTests.MiniProgram;

/// <summary>
/// The mini program's confirm page (src/MiniProgram/miniprogram/pages/confirm), its own code run by node
/// (tests/MiniProgram/e2e/confirm.test.js, jest + miniprogram-simulate) against the running front end and WeChat emulator:
/// wx.login answers with the emulator's login codes, wx.request is real HTTP. This test plays the PC: it makes the ticket,
/// then checks what the PC side sees and exchanges. tests/MiniProgram's node_modules come from `npm ci` (deploy/test.sh).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class MiniProgramPageTests(SystemFixture system, ITestOutputHelper output)
{
    private const string Origin = "https://shop.example";
    private const string Logo = "https://shop.example/logo.png";
    private const string ChromeOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

    [Fact]
    public async Task Confirm_on_the_page_lets_the_PC_exchange_the_ticket_for_the_WeChat_users_account()
    {
        var (tenant, openId) = await TenantAndUserAsync();
        // The same WeChat user signed in once before: the page's login must land on that account.
        var known = await SignInDirectlyAsync(tenant, openId);
        var ticket = await CreateTicketAsync(tenant);

        await RunPageAsync("confirm", ticket.TicketId, openId);

        var status = await FinalStatusAsync(ticket.TicketId);
        Assert.Equal("confirmed", status.Status);
        var exchange = await Api.ExchangeAsync(system.A, status.ExchangeCode!, ticket.BrowserSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var grant = (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!;
        Assert.Equal(known, grant.User.Id);
        Assert.Equal(known, await Api.VerifiedSubjectAsync(system.A, tenant.PoolId, tenant.AppId, grant.AccessToken));
    }

    [Fact]
    public async Task Cancel_on_the_page_leaves_the_PC_a_cancelled_ticket_and_nothing_to_exchange()
    {
        var (tenant, openId) = await TenantAndUserAsync();
        var ticket = await CreateTicketAsync(tenant);

        await RunPageAsync("cancel", ticket.TicketId, openId);

        var status = await FinalStatusAsync(ticket.TicketId);
        Assert.Equal("cancelled", status.Status);
        Assert.Null(status.ExchangeCode);
    }

    [Fact]
    public async Task A_ticket_that_expires_while_the_page_is_open_shows_expired_and_the_PC_sees_expired()
    {
        var (tenant, openId) = await TenantAndUserAsync();
        var ticket = await CreateTicketAsync(tenant);

        await RunPageAsync("expire", ticket.TicketId, openId);

        var status = await FinalStatusAsync(ticket.TicketId);
        Assert.Equal("expired", status.Status);
        Assert.Null(status.ExchangeCode);
    }

    [Fact]
    public async Task Cancel_after_the_ticket_expired_shows_expired_from_the_servers_answer_alone()
    {
        var (tenant, openId) = await TenantAndUserAsync();
        var ticket = await CreateTicketAsync(tenant);

        await RunPageAsync("expire-cancel", ticket.TicketId, openId);

        Assert.Equal("expired", (await FinalStatusAsync(ticket.TicketId)).Status);
    }

    [Fact]
    public async Task Ask_binding_on_the_page_shows_the_code_the_PC_binds_with_and_the_page_follows_to_signed_in()
    {
        var (tenant, openId) = await TenantAndUserAsync(AccountAssociation.AskBinding);
        var ticket = await CreateTicketAsync(tenant);
        var bound = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The PC side: reads the code the phone shows (here from the page's output, in life from the person) and registers.
        await RunPageAsync("binding", ticket.TicketId, openId, onLine: async line =>
        {
            if (!line.StartsWith("BINDING_CODE ", StringComparison.Ordinal)) return;
            var code = line["BINDING_CODE ".Length..].Trim();
            bound.SetResult(await Logins.BindNewAsync(system.A, ticket,
                new { username = "page-binder-" + Guid.NewGuid().ToString("N")[..8], password = "long enough 1", bindingCode = code }));
        });

        Assert.True(bound.Task.IsCompleted, "the page never printed the binding code it shows");
        var response = await bound.Task;
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var status = await FinalStatusAsync(ticket.TicketId);
        Assert.Equal("confirmed", status.Status);
        var exchange = await Api.ExchangeAsync(system.A, status.ExchangeCode!, ticket.BrowserSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        // The WeChat user is now bound to the new account: a PC scan of the same WeChat user finds it.
        var grant = (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!;
        Assert.Equal(grant.User.Id, await SignInDirectlyAsync(tenant, openId));
    }

    [Fact]
    public async Task The_login_page_signs_in_as_the_user_a_PC_scan_of_the_same_WeChat_user_finds()
    {
        var (tenant, openId) = await TenantAndUserAsync();
        var known = await SignInDirectlyAsync(tenant, openId);

        var result = Path.Combine(Path.GetTempPath(), $"scanlogin-mp-login-{Guid.NewGuid():N}");
        try
        {
            await RunPageAsync("login", null, openId, new Dictionary<string, string>
            {
                ["POOL_ID"] = tenant.PoolId, ["IDENTITY_SOURCE"] = Tenant.Source, ["APP_ID"] = tenant.AppId, ["RESULT_FILE"] = result,
            });
            var signedIn = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(result))!;
            Assert.Equal(known, signedIn["userId"]!.GetValue<string>());
            Assert.Equal(known, await Api.VerifiedSubjectAsync(system.A, tenant.PoolId, tenant.AppId, signedIn["accessToken"]!.GetValue<string>()));
        }
        finally
        {
            File.Delete(result);
        }
    }

    private async Task<(Tenant Tenant, string OpenId)> TenantAndUserAsync(AccountAssociation association = AccountAssociation.Off)
    {
        var tenant = await system.CreateTenantAsync(association: association, allowedOrigins: [Origin]);
        var app = system.Grains.GetGrain<IApplicationGrain>(tenant.AppId);
        await app.SaveAsync((await app.GetAsync())! with { LogoUrl = Logo }, null);
        return (tenant, await system.Emulator.CreateUserAsync(phone: null));
    }

    /// <summary>The PC page's ticket: made from the application's web page, in Chrome on Windows.</summary>
    private async Task<TicketCreated> CreateTicketAsync(Tenant tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tickets") { Content = JsonContent.Create(new { appId = tenant.AppId, identitySource = Tenant.Source }) };
        request.Headers.Add("Origin", Origin);
        request.Headers.TryAddWithoutValidation("User-Agent", ChromeOnWindows);
        var response = await system.A.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TicketCreated>())!;
    }

    private async Task<string> SignInDirectlyAsync(Tenant tenant, string openId)
    {
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
        Assert.Equal(HttpStatusCode.OK, (await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken)).StatusCode);
        var status = await FinalStatusAsync(ticket.TicketId);
        var exchange = await Api.ExchangeAsync(system.A, status.ExchangeCode!, ticket.BrowserSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        return (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!.User.Id;
    }

    /// <summary>What the PC page hears on front end A once the phone (on front end B) has finished with the ticket.</summary>
    private async Task<TicketView> FinalStatusAsync(string ticketId)
    {
        var status = await Api.StatusAsync(system.A, ticketId);
        var seen = new List<string> { status.Status };
        for (var i = 0; i < 5 && status.Status is "pending" or "scanned"; i++)
        {
            status = await Api.StatusAfterAsync(system.A, ticketId, status.Version);
            seen.Add(status.Status);
        }
        Assert.False(status.Status is "pending" or "scanned", $"the ticket never finished; the PC saw {string.Join(", ", seen)}");
        return status;
    }

    private async Task RunPageAsync(string scenario, string? ticketId, string openId, Dictionary<string, string>? extra = null,
        Func<string, Task>? onLine = null)
    {
        var directory = MiniProgramTestsDirectory();
        var file = scenario == "login" ? "e2e/login.test.js" : "e2e/confirm.test.js";
        var start = new ProcessStartInfo("node", [Path.Combine("node_modules", "jest", "bin", "jest.js"), "--selectProjects", "e2e", "--runInBand", "--ci", file])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SCENARIO"] = scenario;
        start.Environment["SCANLOGIN_URL"] = system.B.BaseAddress!.ToString().TrimEnd('/');
        start.Environment["EMULATOR_URL"] = system.Emulator.BaseAddress.ToString();
        start.Environment["WECHAT_APP_ID"] = EmulatorHost.AppId;
        start.Environment["OPEN_ID"] = openId;
        if (ticketId is not null) start.Environment["TICKET_ID"] = ticketId;
        foreach (var (name, value) in extra ?? []) start.Environment[name] = value;
        start.Environment["EXPECT_APP_NAME"] = "Functional test site";
        start.Environment["EXPECT_APP_LOGO"] = Logo;
        start.Environment["EXPECT_ORIGIN"] = Origin;

        var advanced = Path.Combine(Path.GetTempPath(), $"scanlogin-mp-{Guid.NewGuid():N}");
        start.Environment["ADVANCED_FILE"] = advanced;

        using var node = Process.Start(start)!;
        var errors = node.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            while (await node.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                output.WriteLine(line);
                // The page waits with the question open while the silos' clock moves past the ticket's life.
                if (line.StartsWith("ADVANCE ", StringComparison.Ordinal))
                {
                    system.Time.Advance(TimeSpan.FromSeconds(int.Parse(line["ADVANCE ".Length..])));
                    await File.WriteAllTextAsync(advanced, "advanced");
                }
                if (onLine is not null) await onLine(line);
            }
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"jest e2e {scenario} did not finish in 2 minutes; it printed: {string.Join(" | ", lines)}");
        }
        finally
        {
            File.Delete(advanced);
        }
        var stderr = await errors;
        output.WriteLine(stderr);
        Assert.True(node.ExitCode == 0, $"jest e2e {scenario} failed:\n{stderr}");
        Assert.Contains("Tests:       1 passed, 1 total", stderr);
        Assert.Contains(lines, l => l.StartsWith("PAGE ", StringComparison.Ordinal));
    }

    /// <summary>tests/MiniProgram of this checkout, with its node_modules installed (deploy/test.sh runs npm ci there).</summary>
    private static string MiniProgramTestsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var tests = Path.Combine(dir.FullName, "tests", "MiniProgram");
            if (!File.Exists(Path.Combine(dir.FullName, "ScanLogin.sln")) || !Directory.Exists(tests)) continue;
            Assert.True(Directory.Exists(Path.Combine(tests, "node_modules", "miniprogram-simulate")),
                $"the mini program's test packages are not installed: run `npm ci` in {tests} (deploy/test.sh does).");
            return tests;
        }
        throw new DirectoryNotFoundException("tests/MiniProgram not found above " + AppContext.BaseDirectory);
    }
}
