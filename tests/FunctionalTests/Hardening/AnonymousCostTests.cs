using System.Net;
using System.Net.Http.Json;
using ScanLogin.Grains.Interfaces;
using Xunit;
using static ScanLogin.FunctionalTests.RateLimitAnswers;

namespace ScanLogin.FunctionalTests.Hardening;

/// <summary>
/// Issue 19 item 4: anonymous requests that cost the platform (or a tenant) more than they cost the sender are bounded,
/// on the production shape with the platform's default limits.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class AnonymousCostTests(RateLimitFixture system)
{
    [Fact]
    public async Task Junk_login_codes_aimed_at_one_ticket_stop_before_wechat_after_the_tickets_few_attempts()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var before = await system.Emulator.SessionRequestsAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
            statuses.Add((await Api.ScanAsync(i % 2 == 0 ? system.A : system.B, ticket.TicketId, "junk-code-" + Guid.NewGuid().ToString("N"))).StatusCode);
        var calls = await system.Emulator.SessionRequestsAsync() - before;
        // The platform default: five login codes per ticket reach WeChat, then one a minute.
        Assert.True(calls <= 5, $"{calls} jscode2session calls for 20 junk scans; answers: {string.Join(", ", statuses)}");
        Assert.Equal(15, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal("pending", (await Api.StatusAsync(system.A, ticket.TicketId)).Status);

        // A real phone gets through once a permit is back, and the ticket is scanned.
        system.LimiterTime.Advance(TimeSpan.FromSeconds(12.1));
        var openId = await system.Emulator.CreateUserAsync();
        var scanned = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
        Assert.Equal("scanned", scanned.Ticket.Status);
    }

    [Fact]
    public async Task Qr_images_come_in_a_few_sizes_and_are_limited_per_address()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        // Forty different sizes are answered with at most seven different pictures.
        var etags = new HashSet<string>();
        for (var size = 160; size < 160 + 40 * 28; size += 28)
        {
            var response = await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/qr.png?size={size}");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) break; // another test of this cluster spent the address's permits
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            etags.Add(response.Headers.ETag!.Tag);
        }
        Assert.InRange(etags.Count, 1, 7);

        // The address runs out of pictures (60 at once by default), on either front end, for any ticket.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 200 && refused is null; i++)
        {
            var response = await (i % 2 == 0 ? system.A : system.B).GetAsync($"/api/tickets/{ticket.TicketId}/qr.svg");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
            else Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.NotNull(refused);
        await TooManyAsync(refused, "rate_limited", "Too many QR images from this address.");
        var other = await Api.CreateTicketAsync(system.B, tenant);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await system.B.GetAsync($"/api/tickets/{other.TicketId}/qr?format=png")).StatusCode);
        system.LimiterTime.Advance(TimeSpan.FromSeconds(2.1));
        Assert.Equal(HttpStatusCode.OK, (await system.B.GetAsync($"/api/tickets/{other.TicketId}/qr.png")).StatusCode);
    }

    [Fact]
    public async Task Open_waits_per_address_are_capped_per_front_end_with_a_clear_429()
    {
        var tenant = await system.CreateTenantAsync();
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var events = $"/api/tickets/{ticket.TicketId}/events";
        var streams = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < RateLimitFixture.MaxWaitsPerClientIp; i++)
            {
                var stream = await system.A.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
                streams.Add(stream);
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            }
            var refused = await system.A.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
            var problem = await Api.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "too_many_waits");
            Assert.Contains("open waits", problem.Detail);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            // A long-poll takes a slot the same way; the other front end counts its own.
            await Api.ProblemAsync(await system.A.GetAsync($"/api/tickets/{ticket.TicketId}/wait?version=0&timeout=0"),
                HttpStatusCode.TooManyRequests, "too_many_waits");
            Assert.Equal(HttpStatusCode.OK, (await system.B.GetAsync($"/api/tickets/{ticket.TicketId}/wait?version=0&timeout=0")).StatusCode);

            // Closing a stream gives its slot back.
            streams[0].Dispose();
            var seen = new List<string>();
            for (var attempt = 0; attempt < 50; attempt++)
            {
                system.LimiterTime.Advance(TimeSpan.FromSeconds(1.01)); // status reads of the ticket refill one a second
                var again = await system.A.GetAsync(events, HttpCompletionOption.ResponseHeadersRead);
                if (again.StatusCode == HttpStatusCode.OK) { streams[0] = again; seen.Clear(); break; }
                seen.Add($"{(int)again.StatusCode} {await again.Content.ReadAsStringAsync()}");
                await Task.Delay(100);
            }
            Assert.True(seen.Count == 0, "no slot came back after closing a stream: " + string.Join(" | ", seen.TakeLast(3)));
        }
        finally
        {
            foreach (var stream in streams) stream.Dispose();
            // The server hears each close a moment later: the next test of this collection (one address, cap 4) must not
            // find these slots still held.
            var open = 0;
            for (var attempt = 0; attempt < 150 && (open = system.OpenWaitsOnA("127.0.0.1")) > 0; attempt++) await Task.Delay(100);
            Assert.True(open == 0, $"front end A still holds {open} open waits of 127.0.0.1 15 s after the test closed its streams");
        }
    }

    [Fact]
    public async Task Unknown_ticket_and_application_ids_are_answered_from_memory_and_limited_per_address()
    {
        system.LimiterTime.Advance(TimeSpan.FromMinutes(5)); // whatever this address missed before has refilled and been forgotten
        var tenant = await system.CreateTenantAsync();
        var real = await Api.CreateTicketAsync(system.A, tenant);

        // One unknown id asked again and again: answered from memory, never a bucket of its own that would say slow_down.
        var invented = Secrets.NewId();
        for (var i = 0; i < 30; i++)
            await Api.ProblemAsync(await (i % 2 == 0 ? system.A : system.B).GetAsync($"/api/tickets/{invented}"), HttpStatusCode.NotFound, "ticket_not_found");

        // Many different unknown ids from one address: refused once it has spent its permits (20 at once by default) ...
        HttpResponseMessage? refused = null;
        var asked = 0;
        for (; asked < 100 && refused is null; asked++)
        {
            var response = await system.A.GetAsync($"/api/tickets/{Secrets.NewId()}");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
            else await Api.ProblemAsync(response, HttpStatusCode.NotFound, "ticket_not_found");
        }
        Assert.NotNull(refused);
        Assert.True(asked is >= 15 and <= 25, $"refused after {asked} unknown ids: {await refused.Content.ReadAsStringAsync()}");
        await Api.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(refused.Headers.RetryAfter);
        // ... before any lookup: an invented application id on ticket creation too.
        var create = new HttpRequestMessage(HttpMethod.Post, "/api/tickets")
            { Content = JsonContent.Create(new { appId = "no-such-app-" + Guid.NewGuid().ToString("N")[..8], identitySource = Tenant.Source }) };
        create.Headers.Add("Origin", "https://site.example");
        await Api.ProblemAsync(await system.A.SendAsync(create), HttpStatusCode.TooManyRequests, "rate_limited");

        // Once permits are back, real ids are served as ever.
        system.LimiterTime.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await system.A.GetAsync($"/api/tickets/{real.TicketId}")).StatusCode);
    }

    [Fact]
    public async Task Unknown_pool_ids_on_discovery_are_answered_from_memory_and_limited_per_address()
    {
        system.LimiterTime.Advance(TimeSpan.FromMinutes(5));
        var tenant = await system.CreateTenantAsync();
        var invented = "no-pool-" + Guid.NewGuid().ToString("N")[..12];
        // The first answer is the cluster's; the next ones, from memory, are the same answer.
        var answers = new List<string?>();
        for (var i = 0; i < 5; i++)
            answers.Add((await Api.ProblemAsync(await system.A.GetAsync($"/oidc/{invented}/.well-known/openid-configuration"), HttpStatusCode.NotFound, "user_pool_not_found")).Detail);
        Assert.Equal("No such user pool.", answers[0]);
        Assert.All(answers, detail => Assert.Equal(answers[0], detail));

        HttpResponseMessage? refused = null;
        var asked = 0;
        for (; asked < 100 && refused is null; asked++)
        {
            var response = await system.B.GetAsync($"/oidc/no-pool-{Guid.NewGuid():N}/jwks");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
            else await Api.ProblemAsync(response, HttpStatusCode.NotFound, "user_pool_not_found");
        }
        Assert.NotNull(refused);
        Assert.True(asked is >= 15 and <= 25, $"refused after {asked} unknown pools: {await refused.Content.ReadAsStringAsync()}");
        await TooManyAsync(refused, "rate_limited", "Too many requests for ids that do not exist from this address.");

        system.LimiterTime.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await system.B.GetAsync($"/oidc/{tenant.PoolId}/jwks")).StatusCode);
    }
}
