using System.Net;
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
        var code = (await Api.StatusAsync(system.A, created.TicketId)).ExchangeCode!;
        Assert.Equal(HttpStatusCode.OK, (await Api.ExchangeAsync(system.B, code, created.BrowserSecret)).StatusCode);
        await Api.CreateTicketAsync(system.A, tenant); // asserts 201
    }
}
