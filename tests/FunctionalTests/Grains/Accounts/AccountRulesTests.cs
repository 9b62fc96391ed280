using System.Net;
using System.Net.Http.Json;
using Npgsql;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>The identity source's account rules end to end, with the users stored in PostgreSQL.</summary>
[Collection(SystemCollection.Name)]
public sealed class AccountRulesTests(SystemFixture system)
{
    private static string Phone() => "135" + Random.Shared.Next(0, 100_000_000).ToString("D8");

    private async Task<(TicketView Confirmed, TicketCreated Ticket)> ConfirmWithPhoneAsync(Tenant tenant, string openId)
    {
        var ticket = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, ticket.TicketId, await system.Emulator.LoginCodeAsync(openId));
        var confirm = await Api.ConfirmAsync(system.B, ticket.TicketId, scan.ScanToken, await system.Emulator.PhoneCodeAsync(openId));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        return ((await confirm.Content.ReadFromJsonAsync<TicketView>())!, ticket);
    }

    private async Task<UserView> LoginAsync(Tenant tenant, string openId)
    {
        var (confirmed, _) = await ConfirmWithPhoneAsync(tenant, openId);
        Assert.Equal("confirmed", confirmed.Status);
        var exchange = await Api.BackendExchangeAsync(system.A, confirmed.ExchangeCode!, tenant.AppId, tenant.AppSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        return (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!.User;
    }

    private async Task<(long Users, long Identities)> CountAsync(string poolId)
    {
        await using var count = system.Database.CreateCommand(
            "SELECT (SELECT count(*) FROM scanlogin_users WHERE pool_id = $1), (SELECT count(*) FROM scanlogin_user_identities WHERE pool_id = $1)");
        count.Parameters.Add(new NpgsqlParameter { Value = poolId });
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [Fact]
    public async Task Field_match_links_a_second_wechat_identity_to_the_stored_user_with_the_same_phone()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.FieldMatch);
        var phone = Phone();
        var first = await LoginAsync(tenant, await system.Emulator.CreateUserAsync(phone: phone));
        var second = await LoginAsync(tenant, await system.Emulator.CreateUserAsync(phone: phone));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("+86" + phone, second.Phone);
        Assert.Equal((1L, 2L), await CountAsync(tenant.PoolId)); // one user, two identities
    }

    [Fact]
    public async Task Login_only_signs_in_a_new_identity_whose_phone_matches_a_stored_user()
    {
        var tenant = await system.CreateTenantAsync(LoginMode.LoginOnly, AccountAssociation.FieldMatch);
        var phone = Phone();
        var existing = await system.Grains.GetGrain<IUserPoolGrain>(tenant.PoolId).ResolveWeChatLoginAsync(new WeChatLogin(
            Tenant.Source, ScanLogin.Tests.Shared.EmulatorHost.AppId, "seeded-" + phone, null, "+86" + phone, "Mei", null,
            LoginMode.LoginAndRegister, AccountAssociation.Off));
        Assert.Equal(AccountOutcome.Created, existing.Outcome);

        var user = await LoginAsync(tenant, await system.Emulator.CreateUserAsync(phone: phone));
        Assert.Equal(existing.User!.Id, user.Id);

        var (stranger, _) = await ConfirmWithPhoneAsync(tenant, await system.Emulator.CreateUserAsync(phone: Phone()));
        Assert.Equal(("rejected", "account_not_found"), (stranger.Status, stranger.Reason));
        Assert.Equal((1L, 2L), await CountAsync(tenant.PoolId));
    }

    [Fact]
    public async Task Ask_binding_stores_no_user_and_gives_the_browser_nothing_to_exchange()
    {
        var tenant = await system.CreateTenantAsync(association: AccountAssociation.AskBinding);
        var (answer, ticket) = await ConfirmWithPhoneAsync(tenant, await system.Emulator.CreateUserAsync(phone: Phone()));

        var status = await Api.StatusAsync(system.A, ticket.TicketId);
        Assert.NotEqual("confirmed", status.Status);
        Assert.True(status.Reason == "binding_required" || status.Status == "binding_required", $"{status.Status} {status.Reason}");
        Assert.Null(status.ExchangeCode);
        Assert.Null(answer.ExchangeCode);
        Assert.Equal((0L, 0L), await CountAsync(tenant.PoolId));
    }
}
