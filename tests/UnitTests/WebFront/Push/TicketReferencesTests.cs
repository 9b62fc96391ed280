using ScanLogin.Grains.Interfaces;
using ScanLogin.Tests.Shared;
using ScanLogin.WebFront.Push;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>The feed's ticket references, made from types resolved once, are the references GetGrain makes.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class TicketReferencesTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task A_reference_from_cached_types_is_the_one_GetGrain_makes_however_many_first_reads_race()
    {
        var client = fixture.Cluster.Client;
        var references = new TicketReferences(client);
        var ids = Enumerable.Range(0, 64).Select(i => $"ticket-{i}").ToArray();

        // Concurrent first reads: each must get a whole pair of types, never a half-written one.
        var made = await Task.WhenAll(ids.Select(id => Task.Run(() => references.Of(id))));

        for (var i = 0; i < ids.Length; i++)
        {
            var expected = (GrainReference)client.GetGrain<ITicketGrain>(ids[i]);
            var actual = (GrainReference)made[i];
            Assert.Equal((expected.GetGrainId(), expected.InterfaceType), (actual.GetGrainId(), actual.InterfaceType));
        }
    }
}
