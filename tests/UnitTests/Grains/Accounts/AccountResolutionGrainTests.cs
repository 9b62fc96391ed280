using ScanLogin.Grains.Accounts;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// The account rules through the ticket grain, the user-pool grain and the user store together: what a login
/// does to the users of a pool, not only what the pure policy decides.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class AccountResolutionGrainTests(GrainClusterFixture fixture)
{
    private readonly TicketDriver _driver = new(fixture);
    private IUserStore Store => fixture.SiloService<IUserStore>();

    private static string Phone() => "139" + Random.Shared.Next(0, 100_000_000).ToString("D8");

    private static WeChatLogin Login(string openId, string? phone, LoginMode mode, AccountAssociation association) =>
        new("wechat", EmulatorAppId, openId, null, phone is null ? null : "+86" + phone, "Mei", null, mode, association);

    private const string EmulatorAppId = ScanLogin.Tests.Shared.EmulatorHost.AppId;

    private static string SubjectOf(string openId) => $"openid:{EmulatorAppId}:{openId}";

    /// <summary>The stored user an identity is bound to, or null.</summary>
    private async Task<string?> UserOfSubjectAsync(string poolId, string subject) =>
        (await Store.LookupAsync(poolId, new AccountKeys([subject], [], [], [], []))).UserBySubject.GetValueOrDefault(subject);

    /// <summary>The stored user holding a phone number, or null.</summary>
    private async Task<string?> UserOfPhoneAsync(string poolId, string phone) =>
        (await Store.LookupAsync(poolId, new AccountKeys([], [], [phone], [], []))).Users.FirstOrDefault(u => u.Phone == phone)?.Id;

    [Fact]
    public async Task Field_match_links_a_second_wechat_identity_to_the_user_with_the_same_phone()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync(association: AccountAssociation.FieldMatch);
        var phone = Phone();
        var first = await fixture.Emulator.CreateUserAsync(phone: phone);
        var second = await fixture.Emulator.CreateUserAsync(phone: phone);

        var created = await _driver.LoginAsync(appId, first, withPhone: true);
        var linked = await _driver.LoginAsync(appId, second, withPhone: true);

        Assert.Equal(created.Id, linked.Id);
        Assert.Equal("+86" + phone, linked.Phone);
        // The store now knows both identities as the one user.
        Assert.Equal(created.Id, await UserOfSubjectAsync(poolId, SubjectOf(first)));
        Assert.Equal(created.Id, await UserOfSubjectAsync(poolId, SubjectOf(second)));
        // And the second identity signs in without a phone from now on.
        Assert.Equal(created.Id, (await _driver.LoginAsync(appId, second)).Id);
    }

    [Fact]
    public async Task Without_field_match_a_second_identity_with_a_used_phone_gets_its_own_user_without_the_phone()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        var phone = Phone();
        var created = await _driver.LoginAsync(appId, await fixture.Emulator.CreateUserAsync(phone: phone), withPhone: true);
        var second = await fixture.Emulator.CreateUserAsync(phone: phone);

        var own = await _driver.LoginAsync(appId, second, withPhone: true);
        Assert.NotEqual(created.Id, own.Id);
        Assert.Null(own.Phone);
        Assert.Equal(own.Id, await UserOfSubjectAsync(poolId, SubjectOf(second)));
        Assert.Equal(created.Id, await UserOfPhoneAsync(poolId, "+86" + phone));
    }

    [Fact]
    public async Task Login_only_links_a_new_identity_whose_phone_matches_an_existing_user()
    {
        var (poolId, _) = await fixture.CreateTenantAsync();
        var pool = fixture.Grains.GetGrain<IUserPoolGrain>(poolId);
        var phone = Phone();
        var created = await pool.ResolveWeChatLoginAsync(Login("open-a-" + phone, phone, LoginMode.LoginAndRegister, AccountAssociation.Off));
        Assert.Equal(AccountOutcome.Created, created.Outcome);

        var linked = await pool.ResolveWeChatLoginAsync(Login("open-b-" + phone, phone, LoginMode.LoginOnly, AccountAssociation.FieldMatch));
        Assert.Equal((AccountOutcome.Linked, created.User!.Id), (linked.Outcome, linked.User?.Id));
        Assert.Equal(created.User.Id, await UserOfSubjectAsync(poolId, SubjectOf("open-b-" + phone)));

        // Linked for good: the next login of that identity signs in, even without a phone.
        var again = await pool.ResolveWeChatLoginAsync(Login("open-b-" + phone, null, LoginMode.LoginOnly, AccountAssociation.Off));
        Assert.Equal((AccountOutcome.SignedIn, created.User.Id), (again.Outcome, again.User?.Id));

        // A phone nobody has still gets no account in login-only mode.
        var stranger = await pool.ResolveWeChatLoginAsync(Login("open-c-" + phone, Phone(), LoginMode.LoginOnly, AccountAssociation.FieldMatch));
        Assert.Equal((AccountOutcome.Refused, FailureCodes.AccountNotFound), (stranger.Outcome, stranger.Refusal?.Code));
        Assert.Null(stranger.User);
    }

    [Fact]
    public async Task Login_only_through_a_ticket_signs_in_the_user_with_the_same_phone()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync(LoginMode.LoginOnly, AccountAssociation.FieldMatch);
        var phone = Phone();
        var existing = await fixture.Grains.GetGrain<IUserPoolGrain>(poolId)
            .ResolveWeChatLoginAsync(Login("seeded-" + phone, phone, LoginMode.LoginAndRegister, AccountAssociation.Off));
        var openId = await fixture.Emulator.CreateUserAsync(phone: phone);

        Assert.Equal(existing.User!.Id, (await _driver.LoginAsync(appId, openId, withPhone: true)).Id);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ask_binding_never_creates_a_user_and_never_confirms_the_ticket(bool phoneMatchesAUser)
    {
        var (poolId, appId) = await fixture.CreateTenantAsync(association: AccountAssociation.AskBinding);
        var phone = Phone();
        var seeded = phoneMatchesAUser
            ? (await fixture.Grains.GetGrain<IUserPoolGrain>(poolId)
                .ResolveWeChatLoginAsync(Login("seeded-" + phone, phone, LoginMode.LoginAndRegister, AccountAssociation.Off))).User
            : null;
        var openId = await fixture.Emulator.CreateUserAsync(phone: phone);
        var ticket = await _driver.OpenAsync(appId);

        var outcome = await _driver.ScanAndConfirmAsync(ticket, openId, withPhone: true);

        // Whatever the binding flow shows the phone next, the ticket carries no exchange code and nobody got an account.
        var status = (await ticket.GetStatusAsync()).Value!;
        Assert.NotEqual(TicketStatus.Confirmed, status.Status);
        Assert.Null(status.ExchangeCode);
        Assert.True(status.Reason == FailureCodes.BindingRequired || status.Status.ToWireName() == "binding_required",
            $"status {status.Status.ToWireName()}, reason {status.Reason}");
        Assert.Null(outcome.Value?.ExchangeCode);
        Assert.Null(await UserOfSubjectAsync(poolId, SubjectOf(openId)));
        Assert.Equal(seeded?.Id, await UserOfPhoneAsync(poolId, "+86" + phone));
    }

    [Fact]
    public async Task A_pool_that_does_not_exist_refuses_every_login()
    {
        var resolution = await fixture.Grains.GetGrain<IUserPoolGrain>("pool-missing-" + Guid.NewGuid().ToString("N")[..6])
            .ResolveWeChatLoginAsync(Login("someone", null, LoginMode.LoginAndRegister, AccountAssociation.Off));
        Assert.Equal((AccountOutcome.Refused, FailureCodes.UserPoolNotFound), (resolution.Outcome, resolution.Refusal?.Code));
    }
}
