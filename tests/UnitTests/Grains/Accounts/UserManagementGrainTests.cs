using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>
/// Operators' user management on the user-pool grain and the store: accounts created through the same decider as logins,
/// limits on a call, names normalized, and each operator's change audited once, with neither a password nor a hash in the audit.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class UserManagementGrainTests(GrainClusterFixture fixture)
{
    private readonly TicketDriver _driver = new(fixture);

    private async Task<(string PoolId, string AppId, IUserPoolGrain Pool)> PoolAsync()
    {
        var (poolId, appId) = await fixture.CreateTenantAsync();
        return (poolId, appId, fixture.Grains.GetGrain<IUserPoolGrain>(poolId));
    }

    private async Task<AuditEntry[]> AuditAsync(string poolId) => (await fixture.Grains.GetGrain<ICatalogGrain>(0).ListAuditAsync(poolId, null, 500)).Items;

    private static NewAccount Account(string? username = null, string? email = null, string? phone = null, string? password = null,
        string? passwordHash = null) => new(username, email, phone, "Mei", null, password, passwordHash);

    [Fact]
    public async Task Accounts_are_created_with_normalized_names_and_a_duplicate_is_refused_alone()
    {
        var (poolId, _, pool) = await PoolAsync();
        var created = (await pool.CreateUsersAsync([Account(" Mei.Li ", " Mei@Example.COM ", " +8613800000001 ", "a good password")], Actor.Platform)).Value!;
        var mei = created[0].User!;
        Assert.Null(created[0].Failure);
        Assert.Equal(("mei.li", "mei@example.com", "+8613800000001", true, false), (mei.Username, mei.Email, mei.Phone, mei.PasswordSet, mei.Blocked));
        Assert.Equal(mei, await pool.GetUserRecordAsync(mei.Id));
        Assert.Equal(mei.Id, (await pool.GetUserAsync(mei.Id))!.Id);

        // In one call: the same username again is refused, the other account is created.
        var second = (await pool.CreateUsersAsync([Account("MEI.LI"), Account("lei")], Actor.Platform)).Value!;
        Assert.Null(second[0].User);
        Assert.NotNull(second[0].Failure);
        Assert.Equal("lei", second[1].User!.Username);

        // An operator's change is audited with whether a password is set, never the password or its hash.
        await pool.SetUserBlockedAsync(mei.Id, true, Actor.Platform);
        var entry = (await AuditAsync(poolId))[^1];
        Assert.Equal(("block", mei.Id), (entry.Action, entry.ResourceId));
        Assert.Contains("\"passwordSet\":true", entry.After!.Replace(" ", ""), StringComparison.OrdinalIgnoreCase);
        var stored = (await fixture.SiloService<Grains.Accounts.IUserStore>().GetAsync(poolId, mei.Id))!;
        Assert.DoesNotContain(stored.PasswordHash!, entry.Before + entry.After);
        Assert.DoesNotContain("a good password", entry.Before + entry.After);
    }

    [Fact]
    public async Task A_call_holds_one_to_five_hundred_accounts_and_only_well_formed_hashes()
    {
        var (_, _, pool) = await PoolAsync();
        Assert.Equal(AdminFailureCodes.ValidationFailed, (await pool.CreateUsersAsync([], Actor.Platform)).Failure?.Code);
        var tooMany = Enumerable.Range(0, 501).Select(i => Account($"user{i}")).ToArray();
        Assert.Equal(AdminFailureCodes.ValidationFailed, (await pool.CreateUsersAsync(tooMany, Actor.Platform)).Failure?.Code);
        Assert.Equal(AdminFailureCodes.ValidationFailed,
            (await pool.CreateUsersAsync([Account("a"), Account("b", passwordHash: "bm90IGEgaGFzaA==")], Actor.Platform)).Failure?.Code);
        Assert.Empty(await pool.SearchUsersAsync(new UserQuery(Username: "a"), 10));

        // An imported hash (ASP.NET Core Identity's format) is kept as it is: its password signs in.
        var hash = new Grains.Accounts.PasswordHashing().Hash("imported password");
        var imported = (await pool.CreateUsersAsync([Account("imported", passwordHash: hash)], Actor.Platform)).Value![0].User!;
        Assert.True(imported.PasswordSet);
        var all = (await pool.CreateUsersAsync(Enumerable.Range(0, 500).Select(i => Account($"bulk{i}")).ToArray(), Actor.Platform)).Value!;
        Assert.Equal(500, all.Count(c => c.User is not null));

        var missing = fixture.Grains.GetGrain<IUserPoolGrain>("pool-missing-" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal(AdminFailureCodes.NotFound, (await missing.CreateUsersAsync([Account("x")], Actor.Platform)).Failure?.Code);
    }

    [Fact]
    public async Task Search_matches_the_names_as_stored()
    {
        var (poolId, _, pool) = await PoolAsync();
        var mei = (await pool.CreateUsersAsync([Account("mei", "mei@example.com", "+8613800000002")], Actor.Platform)).Value![0].User!;
        await pool.CreateUsersAsync([Account("lei", "lei@example.com", "+8613800000003")], Actor.Platform);

        Assert.Equal([mei.Id], (await pool.SearchUsersAsync(new UserQuery(Username: " MEI "), 10)).Select(u => u.Id));
        Assert.Equal([mei.Id], (await pool.SearchUsersAsync(new UserQuery(Email: "MEI@example.com"), 10)).Select(u => u.Id));
        Assert.Equal([mei.Id], (await pool.SearchUsersAsync(new UserQuery(Phone: " +8613800000002 "), 10)).Select(u => u.Id));
        // Another pool's search never sees this pool's users.
        var (_, _, other) = await PoolAsync();
        Assert.Empty(await other.SearchUsersAsync(new UserQuery(Username: "mei"), 10));
        Assert.Null(await other.GetUserRecordAsync(mei.Id));
        Assert.NotEqual(poolId, (await other.GetSettingsAsync())!.PoolId);
    }

    [Fact]
    public async Task Blocking_is_audited_only_when_it_changes_something()
    {
        var (poolId, _, pool) = await PoolAsync();
        var mei = (await pool.CreateUsersAsync([Account("mei")], Actor.Platform)).Value![0].User!;
        var before = (await AuditAsync(poolId)).Length;

        Assert.True((await pool.SetUserBlockedAsync(mei.Id, true, Actor.Platform)).Value!.Blocked);
        Assert.True((await pool.SetUserBlockedAsync(mei.Id, true, Actor.Platform)).Value!.Blocked);
        Assert.True((await pool.GetUserRecordAsync(mei.Id))!.Blocked);
        var audit = await AuditAsync(poolId);
        Assert.Equal(before + 1, audit.Length);
        Assert.Equal(("block", "user", mei.Id), (audit[^1].Action, audit[^1].ResourceType, audit[^1].ResourceId));

        Assert.False((await pool.SetUserBlockedAsync(mei.Id, false, Actor.Platform)).Value!.Blocked);
        Assert.Equal("unblock", (await AuditAsync(poolId))[^1].Action);
        Assert.Equal(AdminFailureCodes.NotFound, (await pool.SetUserBlockedAsync("no-such-user", true, Actor.Platform)).Failure?.Code);
    }

    [Fact]
    public async Task A_deleted_user_is_gone_and_an_unbound_identity_gets_a_new_user_at_its_next_login()
    {
        var (poolId, appId, pool) = await PoolAsync();
        var openId = await fixture.Emulator.CreateUserAsync(phone: null);
        var user = await _driver.LoginAsync(appId, openId);

        var identities = (await pool.ListIdentitiesAsync(user.Id)).Value!;
        var identity = Assert.Single(identities);
        Assert.Equal((openId, "wechat"), (identity.OpenId, identity.IdentitySource));

        Assert.Equal(AdminFailureCodes.NotFound, (await pool.UnbindIdentityAsync(user.Id, "openid:nobody", Actor.Platform)).Failure?.Code);
        Assert.True((await pool.UnbindIdentityAsync(user.Id, identity.Subject, Actor.Platform)).Value);
        Assert.Empty((await pool.ListIdentitiesAsync(user.Id)).Value!);
        Assert.Equal(("unbind_identity", "user", user.Id), ((await AuditAsync(poolId))[^1].Action, (await AuditAsync(poolId))[^1].ResourceType,
            (await AuditAsync(poolId))[^1].ResourceId));
        var next = await _driver.LoginAsync(appId, openId);
        Assert.NotEqual(user.Id, next.Id);

        Assert.True((await pool.DeleteUserAsync(next.Id, Actor.Platform)).Value);
        Assert.Equal(("delete", "user", next.Id), ((await AuditAsync(poolId))[^1].Action, (await AuditAsync(poolId))[^1].ResourceType,
            (await AuditAsync(poolId))[^1].ResourceId));
        Assert.Null(await pool.GetUserRecordAsync(next.Id));
        Assert.Null(await pool.GetUserAsync(next.Id));
        Assert.Equal(AdminFailureCodes.NotFound, (await pool.DeleteUserAsync(next.Id, Actor.Platform)).Failure?.Code);
        Assert.Equal(AdminFailureCodes.NotFound, (await pool.ListIdentitiesAsync(next.Id)).Failure?.Code);
    }
}
