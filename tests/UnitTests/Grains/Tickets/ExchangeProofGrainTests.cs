using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Who may trade a confirmed ticket's code for a token, and what a retry gets back.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class ExchangeProofGrainTests(GrainClusterFixture fixture)
{
    private readonly TicketDriver _driver = new(fixture);
    private static readonly string BrowserSecret = TicketDriver.BrowserSecret;

    private async Task<(ITicketGrain Ticket, string Code)> ConfirmedTicketAsync(string appId)
    {
        var ticket = await _driver.OpenAsync(appId);
        var confirmed = await _driver.ScanAndConfirmAsync(ticket, await fixture.Emulator.CreateUserAsync(phone: null));
        Assert.Equal(TicketStatus.Confirmed, confirmed.Value?.Status);
        return (ticket, confirmed.Value!.ExchangeCode!);
    }

    [Fact]
    public async Task Another_applications_valid_secret_cannot_exchange_this_applications_ticket()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var otherApp = await fixture.AddApplicationAsync(poolId, "other-app-secret");
        Assert.True(await fixture.Grains.GetGrain<IApplicationGrain>(otherApp).VerifySecretAsync("other-app-secret"));
        var (ticket, code) = await ConfirmedTicketAsync(appId);

        var foreign = await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(otherApp, "other-app-secret"), null));
        Assert.Equal(FailureCodes.ExchangeForbidden, foreign.Failure?.Code);
        // Nor with this app's id and the other app's secret, nor the other app's id and this app's secret.
        Assert.Equal(FailureCodes.ExchangeForbidden,
            (await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(appId, "other-app-secret"), null))).Failure?.Code);
        Assert.Equal(FailureCodes.ExchangeForbidden,
            (await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(otherApp, "app-secret"), null))).Failure?.Code);

        var status = (await ticket.GetStatusAsync()).Value!;
        Assert.Equal((TicketStatus.Confirmed, code), (status.Status, status.ExchangeCode));
        Assert.True((await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(appId, "app-secret"), null))).Succeeded);
    }

    [Fact]
    public async Task Exactly_one_proof_is_accepted_and_a_wrong_one_changes_nothing()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var (ticket, code) = await ConfirmedTicketAsync(appId);
        var app = new AppCredentials(appId, "app-secret");

        Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, app, null))).Failure?.Code);
        Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.ExchangeAsync(new ExchangeRequest(code, null, null, null))).Failure?.Code);
        Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret + "x", null, null))).Failure?.Code);
        Assert.Equal(FailureCodes.ExchangeCodeInvalid, (await ticket.ExchangeAsync(new ExchangeRequest(code[..^1], BrowserSecret, null, null))).Failure?.Code);
        var unchanged = (await ticket.GetStatusAsync()).Value!;
        Assert.Equal((TicketStatus.Confirmed, 3), (unchanged.Status, unchanged.Version));

        var grant = await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, null));
        Assert.True(grant.Succeeded, grant.Failure?.Code);
        Assert.Equal(TicketStatus.Consumed, (await ticket.GetStatusAsync()).Value!.Status);
    }

    [Fact]
    public async Task An_idempotent_retry_is_answered_only_for_the_same_key_and_with_a_valid_proof()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var (ticket, code) = await ConfirmedTicketAsync(appId);
        var app = new AppCredentials(appId, "app-secret");

        var first = (await ticket.ExchangeAsync(new ExchangeRequest(code, null, app, "key-1"))).Value!;
        var again = await ticket.ExchangeAsync(new ExchangeRequest(code, null, app, "key-1"));
        Assert.Equal((first.Tokens.Stamp, first.User), (again.Value?.Tokens.Stamp, again.Value?.User)); // the same token, signed again

        Assert.Equal(FailureCodes.AlreadyExchanged, (await ticket.ExchangeAsync(new ExchangeRequest(code, null, app, "key-2"))).Failure?.Code);
        Assert.Equal(FailureCodes.AlreadyExchanged, (await ticket.ExchangeAsync(new ExchangeRequest(code, null, app, null))).Failure?.Code);
        Assert.Equal(FailureCodes.AlreadyExchanged, (await ticket.ExchangeAsync(new ExchangeRequest(code, null, app, ""))).Failure?.Code);
        // The key is not a credential: the retry must still prove who it is, and name the right code.
        Assert.Equal(FailureCodes.ExchangeForbidden,
            (await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(appId, "wrong"), "key-1"))).Failure?.Code);
        Assert.Equal(FailureCodes.ExchangeCodeInvalid, (await ticket.ExchangeAsync(new ExchangeRequest(code + "x", null, app, "key-1"))).Failure?.Code);
    }

    [Fact]
    public async Task A_ticket_exchanged_without_a_key_is_not_replayed_for_a_key()
    {
        var (_, appId) = await fixture.CreateTenantAsync();
        var (ticket, code) = await ConfirmedTicketAsync(appId);
        var app = new AppCredentials(appId, "app-secret");
        Assert.True((await ticket.ExchangeAsync(new ExchangeRequest(code, null, app, null))).Succeeded);
        Assert.Equal(FailureCodes.AlreadyExchanged, (await ticket.ExchangeAsync(new ExchangeRequest(code, null, app, "late-key"))).Failure?.Code);
    }

    [Fact]
    public async Task A_pool_can_keep_browsers_from_exchanging_and_set_the_token_lifetime()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        await fixture.Grains.GetGrain<IUserPoolGrain>(poolId).SaveSettingsAsync(
            new UserPoolSettings(poolId, "Test pool", BrowserExchangeDisabled: true, TokenLifetimeSeconds: 600));
        var (ticket, code) = await ConfirmedTicketAsync(appId);

        Assert.Equal(FailureCodes.ExchangeForbidden, (await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, null))).Failure?.Code);
        Assert.Equal(TicketStatus.Confirmed, (await ticket.GetStatusAsync()).Value!.Status);

        var grant = (await ticket.ExchangeAsync(new ExchangeRequest(code, null, new AppCredentials(appId, "app-secret"), null))).Value!;
        Assert.Equal(TimeSpan.FromSeconds(600), grant.ExpiresAt - grant.Tokens.Stamp.IssuedAt);
    }

    [Fact]
    public async Task Tokens_last_the_default_hour_unless_the_pool_says_otherwise()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var (ticket, code) = await ConfirmedTicketAsync(appId);
        var grant = (await ticket.ExchangeAsync(new ExchangeRequest(code, BrowserSecret, null, null))).Value!;
        Assert.Equal(TimeSpan.FromSeconds(UserPoolSettings.DefaultTokenLifetimeSeconds), grant.ExpiresAt - grant.Tokens.Stamp.IssuedAt);
        var token = (await fixture.Grains.GetGrain<ITokenIssuerGrain>(poolId).ValidateAccessTokenAsync(grant.AccessToken)).Value!;
        Assert.Equal((grant.User.Id, appId), (token.Subject, token.AppId));
    }
}
