using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Which audit entries a filter keeps: every set field must match, from inclusive, to exclusive.</summary>
public sealed class AuditFilterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static AuditEntry Entry(string action = "update", string type = "application", string id = "app1", string actor = "platform:platform") =>
        new(1, "pool", Noon, actor, action, type, id, null, null);

    [Fact]
    public void An_empty_filter_keeps_every_entry() => Assert.True(AuditFilter.None.Keeps(Entry()));

    [Fact]
    public void Each_set_field_must_match_exactly()
    {
        Assert.True(new AuditFilter(Action: "update", ResourceType: "application", ResourceId: "app1", Actor: "platform:platform").Keeps(Entry()));
        Assert.False(new AuditFilter(Action: "create").Keeps(Entry()));
        Assert.False(new AuditFilter(ResourceType: "user").Keeps(Entry()));
        Assert.False(new AuditFilter(ResourceId: "app").Keeps(Entry()));
        Assert.False(new AuditFilter(Actor: "platform").Keeps(Entry()));
    }

    [Fact]
    public void From_is_inclusive_and_to_is_exclusive()
    {
        Assert.True(new AuditFilter(From: Noon).Keeps(Entry()));
        Assert.False(new AuditFilter(From: Noon.AddTicks(1)).Keeps(Entry()));
        Assert.False(new AuditFilter(To: Noon).Keeps(Entry()));
        Assert.True(new AuditFilter(To: Noon.AddTicks(1)).Keeps(Entry()));
        // The same instant in another zone.
        Assert.True(new AuditFilter(From: Noon.ToOffset(TimeSpan.FromHours(8)), To: Noon.AddHours(1).ToOffset(TimeSpan.FromHours(-5))).Keeps(Entry()));
    }
}
