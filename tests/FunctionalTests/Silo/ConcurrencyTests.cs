using System.Net;
using System.Net.Http.Json;
using Npgsql;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests;

[Collection(SystemCollection.Name)]
public sealed class ConcurrencyTests(SystemFixture system)
{
    [Fact]
    public async Task A_hundred_concurrent_confirms_by_one_wechat_identity_create_exactly_one_user()
    {
        var tenant = await system.CreateTenantAsync();
        var openId = await system.Emulator.CreateUserAsync(phone: null);
        var tickets = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Api.CreateTicketAsync(i % 2 == 0 ? system.A : system.B, tenant)));
        // WeChat allows 100 jscode2session calls a minute per user: exactly one scan per ticket.
        var scans = await Task.WhenAll(tickets.Select(async (t, i) =>
            await Api.ScanOkAsync(i % 2 == 0 ? system.B : system.A, t.TicketId, await system.Emulator.LoginCodeAsync(openId))));

        var confirms = await Task.WhenAll(tickets.Zip(scans).Select(async (pair, i) =>
            await Api.ConfirmAsync(i % 2 == 0 ? system.A : system.B, pair.First.TicketId, pair.Second.ScanToken)));
        Assert.All(confirms, c => Assert.Equal(HttpStatusCode.OK, c.StatusCode));

        var users = await Task.WhenAll(tickets.Select(async t =>
        {
            var code = (await Api.StatusAsync(system.A, t.TicketId)).ExchangeCode!;
            var grant = await (await Api.ExchangeAsync(system.B, code, t.BrowserSecret)).Content.ReadFromJsonAsync<ExchangeResponse>();
            return grant!.User.Id;
        }));
        Assert.Single(users.Distinct());

        await using var count = system.Database.CreateCommand(
            "SELECT (SELECT count(*) FROM scanlogin_users WHERE pool_id = $1), (SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1)");
        count.Parameters.Add(new NpgsqlParameter { Value = tenant.PoolId });
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((1L, 1L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    [Fact]
    public Task Two_hundred_concurrent_confirms_mixing_one_identity_one_phone_and_distinct_people_make_exactly_the_right_users() =>
        RunMixAsync(stopASiloPartWay: false);

    [Fact]
    public Task The_same_mix_is_exact_when_a_silo_stops_part_way() => RunMixAsync(stopASiloPartWay: true);

    /// <summary>
    /// 200 confirms at once into one field-match pool: 60 by one WeChat identity, 40 by different identities sharing
    /// one phone, 100 by distinct people. Exactly 102 users and 141 bindings must result, whoever decides them.
    /// </summary>
    private async Task RunMixAsync(bool stopASiloPartWay)
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.FieldMatch);
        var suffix = Random.Shared.Next(1000, 9999).ToString();
        var sharedPhone = "1391111" + suffix;
        var repeated = await system.Emulator.CreateUserAsync(phone: null);
        var samePhone = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => system.Emulator.CreateUserAsync(phone: sharedPhone)));
        var distinct = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => system.Emulator.CreateUserAsync(phone: $"1382{suffix}{i:D3}")));
        var people = Enumerable.Repeat(repeated, 60).Select(o => (OpenId: o, Group: "repeated"))
            .Concat(samePhone.Select(o => (OpenId: o, Group: "phone"))).Concat(distinct.Select(o => (OpenId: o, Group: "distinct")))
            .OrderBy(_ => Random.Shared.Next()).ToArray();

        var prepared = await Task.WhenAll(people.Select(async (p, i) =>
        {
            var http = i % 2 == 0 ? system.A : system.B;
            var ticket = await Api.CreateTicketAsync(http, tenant);
            var scan = await Api.ScanOkAsync(http, ticket.TicketId, await system.Emulator.LoginCodeAsync(p.OpenId));
            var phoneCode = p.Group == "repeated" ? null : await system.Emulator.PhoneCodeAsync(p.OpenId);
            return (Person: p, Ticket: ticket, ScanToken: scan.ScanToken, PhoneCode: phoneCode, Http: http);
        }));

        // Part way: the silo stops once the first confirms are answered, while the rest are still in flight.
        var answered = 0;
        var partWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var confirms = prepared.Select(async x =>
        {
            HttpResponseMessage response;
            if (!stopASiloPartWay)
                response = await Api.ConfirmAsync(x.Http, x.Ticket.TicketId, x.ScanToken, x.PhoneCode);
            else
                // A phone retries a confirm answered 503 (a silo went away under it), as told by Retry-After, on whichever front
                // end it reaches; a confirm is safe to repeat. A retry needs a fresh phone-number code: the first try may have
                // used its code up.
                response = await ClientRetries.SendAsync(async attempt => await Api.ConfirmAsync(attempt % 2 == 0 ? x.Http : Other(x.Http),
                        x.Ticket.TicketId, x.ScanToken, attempt == 0 || x.PhoneCode is null ? x.PhoneCode : await system.Emulator.PhoneCodeAsync(x.Person.OpenId)),
                    $"confirm of ticket {x.Ticket.TicketId}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Confirm answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            if (Interlocked.Increment(ref answered) == 20) partWay.TrySetResult();
        }).ToList();
        if (stopASiloPartWay)
        {
            var all = Task.WhenAll(confirms);
            if (await Task.WhenAny(partWay.Task, all, Task.Delay(TimeSpan.FromSeconds(60))) != partWay.Task)
            {
                await (all.IsFaulted ? all : Task.CompletedTask);
                Assert.Fail($"No silo was stopped: {Volatile.Read(ref answered)} of {prepared.Length} confirms answered (the silo stops after 20) in 60 s.");
            }
            Assert.True(Volatile.Read(ref answered) < prepared.Length, "Every confirm was answered before the silo stopped: not part way.");
            await system.ReplaceSiloAsync(0);
        }
        await Task.WhenAll(confirms);

        var users = await Task.WhenAll(prepared.Select(async x => (x.Person.Group,
            (stopASiloPartWay ? await ExchangeRetryingAsync(x.Ticket) : await Logins.ExchangeAsync(system, x.Ticket)).Id)));
        Assert.Single(users.Where(u => u.Group == "repeated").Select(u => u.Id).Distinct());
        Assert.Single(users.Where(u => u.Group == "phone").Select(u => u.Id).Distinct());
        Assert.Equal(100, users.Where(u => u.Group == "distinct").Select(u => u.Id).Distinct().Count());
        Assert.Equal(102, users.Select(u => u.Id).Distinct().Count());

        Assert.Equal(102, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1", tenant.PoolId));
        Assert.Equal(141, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1", tenant.PoolId));
        var phoneUser = users.First(u => u.Group == "phone").Id;
        Assert.Equal(40, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1 AND user_id = $2", tenant.PoolId, phoneUser));
        Assert.Equal(1, await Logins.CountAsync(system, "SELECT count(*) FROM scanlogin_users WHERE pool_id = $1 AND phone = $2", tenant.PoolId, "+86" + sharedPhone));
        // Each confirm counted once (a confirm retried across a fail-over may count twice, so only without one).
        if (!stopASiloPartWay)
            Assert.Equal(60, await Logins.CountAsync(system, "SELECT login_count FROM scanlogin_users WHERE pool_id = $1 AND user_id = $2",
                tenant.PoolId, users.First(u => u.Group == "repeated").Id));
        if (stopASiloPartWay)
        {
            await system.WaitFrontEndsReadyAsync();
            return;
        }
        // Decided in batches, not one round trip per confirm: fewer batches than confirms, and some held many.
        var batches = system.Logs.Lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, $@"Pool {tenant.PoolId} decided (\d+) account requests"))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(200, batches.Sum());
        Assert.True(batches.Count < 150 && batches.Max() >= 5, $"{batches.Count} batches, largest {batches.Max()}");
    }

    private HttpClient Other(HttpClient http) => http == system.A ? system.B : system.A;

    /// <summary>The browser's status read and exchange after a silo stopped: each retried on 503 as a client would.</summary>
    private async Task<UserView> ExchangeRetryingAsync(TicketCreated ticket)
    {
        var read = await ClientRetries.SendAsync(_ => system.A.GetAsync($"/api/tickets/{ticket.TicketId}"), $"status read of ticket {ticket.TicketId}");
        Assert.True(read.StatusCode == HttpStatusCode.OK, $"Status read answered {(int)read.StatusCode}: {await read.Content.ReadAsStringAsync()}");
        var status = (await read.Content.ReadFromJsonAsync<TicketView>())!;
        Assert.Equal("confirmed", status.Status);
        // The ticket id as idempotency key: an exchange whose answer was lost to the stopping silo gets the same grant again.
        var exchange = await ClientRetries.SendAsync(_ => Api.ExchangeAsync(system.A, status.ExchangeCode!, ticket.BrowserSecret, ticket.TicketId),
            $"exchange of ticket {ticket.TicketId}");
        Assert.True(exchange.StatusCode == HttpStatusCode.OK, $"Exchange answered {(int)exchange.StatusCode}: {await exchange.Content.ReadAsStringAsync()}");
        return (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!.User;
    }
}
