using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>A pool's lifetimes as its settings give them: a positive number of seconds is taken, anything else is the default.</summary>
public sealed class UserPoolSettingsTests
{
    [Theory]
    [InlineData(0, UserPoolSettings.DefaultSessionLifetimeSeconds)]
    [InlineData(-60, UserPoolSettings.DefaultSessionLifetimeSeconds)]
    [InlineData(1, 1)]
    [InlineData(600, 600)]
    public void A_pool_session_lasts_its_set_seconds_or_the_default_working_day(int set, int expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), (TenantRecords.Pool("pool") with { SessionLifetimeSeconds = set }).SessionLifetime);

    [Theory]
    [InlineData(0, UserPoolSettings.DefaultTokenLifetimeSeconds)]
    [InlineData(-1, UserPoolSettings.DefaultTokenLifetimeSeconds)]
    [InlineData(1, 1)]
    [InlineData(900, 900)]
    public void Tokens_last_the_pools_set_seconds_or_the_default_hour(int set, int expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), (TenantRecords.Pool("pool") with { TokenLifetimeSeconds = set }).TokenLifetime);
}
