using ScanLogin.Grains.Accounts;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// The user-pool grain's account batches when another writer gets to the user store first (a second activation during
/// a fail-over, an operator): the batch is looked up and decided again, a few times, and then answered as unavailable.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class AccountBatchRetryGrainTests(GrainClusterFixture fixture)
{
    private readonly TicketDriver _driver = new(fixture);
    private IUserStore Store => fixture.SiloService<IUserStore>();

    [Fact]
    public async Task A_login_whose_batch_another_writer_stored_first_signs_in_to_that_writers_user_and_makes_no_second()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var openId = await fixture.Emulator.CreateUserAsync(phone: null);
        RivalUserStore.RivalCommits[poolId] = 1;
        try
        {
            var user = await _driver.LoginAsync(appId, openId);

            var users = await Store.SearchAsync(poolId, new UserQuery(OpenId: openId), 10);
            Assert.Equal(user.Id, Assert.Single(users).Id);
            Assert.Equal(0, RivalUserStore.RivalCommits[poolId]);
            Assert.Equal(user.Id, (await _driver.LoginAsync(appId, openId)).Id);
        }
        finally
        {
            RivalUserStore.RivalCommits.TryRemove(poolId, out _);
        }
    }

    [Fact]
    public async Task Two_conflicts_in_a_row_are_decided_again_but_a_third_answers_unavailable_and_the_phone_may_confirm_again()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        try
        {
            RivalUserStore.Conflicts[poolId] = 2;
            var confirmed = await _driver.ScanAndConfirmAsync(await _driver.OpenAsync(appId), await fixture.Emulator.CreateUserAsync(phone: null));
            Assert.Equal(TicketStatus.Confirmed, confirmed.Value?.Status);

            RivalUserStore.Conflicts[poolId] = 3;
            var ticket = await _driver.OpenAsync(appId);
            var openId = await fixture.Emulator.CreateUserAsync(phone: null);
            var token = await _driver.ScanAsync(ticket, openId);
            var refused = await ticket.ConfirmAsync(new ConfirmRequest(token, null));
            Assert.Equal(FailureCodes.AccountsUnavailable, refused.Failure?.Code);
            // A store outage is not the pool's answer: nothing was stored and the ticket waits for the phone.
            Assert.Equal(0, RivalUserStore.Conflicts[poolId]);
            Assert.Empty(await Store.SearchAsync(poolId, new UserQuery(OpenId: openId), 10));
            Assert.Equal(TicketStatus.Scanned, (await ticket.GetStatusAsync()).Value!.Status);

            var again = await ticket.ConfirmAsync(new ConfirmRequest(token, null));
            Assert.Equal(TicketStatus.Confirmed, again.Value?.Status);
            Assert.Single(await Store.SearchAsync(poolId, new UserQuery(OpenId: openId), 10));
        }
        finally
        {
            RivalUserStore.Conflicts.TryRemove(poolId, out _);
        }
    }
}
