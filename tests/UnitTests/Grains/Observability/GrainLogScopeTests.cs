using Microsoft.Extensions.Logging;
using ScanLogin.Grains.Observability;
using Xunit;

namespace ScanLogin.UnitTests;

public sealed class GrainLogScopeTests
{
    [Fact]
    public void A_line_logged_during_a_grain_call_carries_the_grain_id_in_its_scope()
    {
        var grainId = GrainId.Create("ticket", "t-123");
        var scopes = new LoggerExternalScopeProvider();
        using (scopes.Push(new GrainScope(grainId)))
        {
            var fields = new List<KeyValuePair<string, object?>>();
            var texts = new List<string?>();
            scopes.ForEachScope((scope, _) =>
            {
                texts.Add(scope?.ToString());
                // What the JSON console formatter writes: a scope that is a list of pairs becomes named fields.
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs) fields.AddRange(pairs);
            }, (object?)null);

            Assert.Equal([new KeyValuePair<string, object?>("GrainId", grainId.ToString())], fields);
            Assert.Equal(["GrainId:ticket/t-123"], texts);
        }
    }

    [Fact]
    public void The_scope_has_one_field()
    {
        var scope = new GrainScope(GrainId.Create("ticket", "t-1"));
        Assert.Single(scope);
        Assert.Equal("GrainId", scope[0].Key);
        Assert.Throws<ArgumentOutOfRangeException>(() => scope[1]);
    }
}
