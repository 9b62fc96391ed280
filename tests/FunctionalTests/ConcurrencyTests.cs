using System.Net;
using System.Net.Http.Json;
using Npgsql;
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
}
