using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace ScanLogin.FunctionalTests;

/// <summary>Grain state lives in PostgreSQL: a ticket and its tenant survive the silo that held them.</summary>
[Collection(SystemCollection.Name)]
public sealed class FailoverTests(SystemFixture system)
{
    [Fact]
    public async Task A_login_finishes_after_both_silos_are_replaced_one_by_one()
    {
        var tenant = await system.CreateTenantAsync();
        var created = await Api.CreateTicketAsync(system.A, tenant);
        var scan = await Api.ScanOkAsync(system.B, created.TicketId, await system.Emulator.LoginCodeAsync(await system.Emulator.CreateUserAsync(phone: null)));

        // Every grain (ticket, application, identity source, pool) must come back from storage.
        await system.ReplaceSiloAsync(0);
        await system.ReplaceSiloAsync(1);
        await system.WaitFrontEndsReadyAsync();

        var status = await Api.StatusAsync(system.A, created.TicketId);
        Assert.Equal(("scanned", 2), (status.Status, status.Version));
        var confirm = await Api.ConfirmAsync(system.B, created.TicketId, scan.ScanToken);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var confirmed = (await confirm.Content.ReadFromJsonAsync<TicketView>())!;
        Assert.Equal(("confirmed", 3), (confirmed.Status, confirmed.Version));
        // Front end A hears the confirm B served by push: a read on A right now may still answer "scanned" from memory.
        Assert.Equal(confirmed.ExchangeCode, (await Api.StatusAfterAsync(system.A, created.TicketId, 2)).ExchangeCode);

        // The browser secret hashed before the restarts still proves the browser; the token is for this user of this pool.
        var exchange = await Api.ExchangeAsync(system.B, confirmed.ExchangeCode!, created.BrowserSecret);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var grant = (await exchange.Content.ReadFromJsonAsync<ExchangeResponse>())!;
        Assert.Equal(tenant.PoolId, grant.User.PoolId);
        Assert.Equal(grant.User.Id, await Api.VerifiedSubjectAsync(system.A, tenant.PoolId, tenant.AppId, grant.AccessToken));
        Assert.Equal(("consumed", 4), ((await Api.StatusAfterAsync(system.A, created.TicketId, 3)).Status, (await Api.StatusAsync(system.B, created.TicketId)).Version));

        // The application and its identity source came back too: a new ticket opens.
        var again = await Api.CreateTicketAsync(system.A, tenant);
        Assert.Equal(("pending", 1), (again.Ticket.Status, again.Ticket.Version));
    }
}
