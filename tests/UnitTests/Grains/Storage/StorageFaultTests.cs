using System.Reflection;
using Orleans.Serialization;
using ScanLogin.Grains.Interfaces;
using ScanLogin.Grains.Storage;
using StackExchange.Redis;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>A Redis failure under a grain call reaches the front end as a retryable, serializable exception.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class StorageFaultTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Redis_failures_leave_a_grain_as_storage_unavailable_which_crosses_the_wire()
    {
        var filter = new StorageFaultFilter(Microsoft.Extensions.Logging.Abstractions.NullLogger<StorageFaultFilter>.Instance);
        var redisDown = new RedisConnectionException(ConnectionFailureType.SocketClosed, "SocketClosed");
        var thrown = await Assert.ThrowsAsync<StorageUnavailableException>(() => filter.Invoke(Context.Throwing(redisDown)));
        Assert.IsAssignableFrom<OrleansException>(thrown); // front ends answer OrleansException with 503
        // The socket layer's own connection errors (not wrapped by the Redis client) are the same outage.
        await Assert.ThrowsAsync<StorageUnavailableException>(() => filter.Invoke(Context.Throwing(new Pipelines.Sockets.Unofficial.ConnectionResetException("reset"))));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => filter.Invoke(Context.Throwing(new Pipelines.Sockets.Unofficial.ConnectionAbortedException("aborted"))));
        await Assert.ThrowsAsync<IOException>(() => filter.Invoke(Context.Throwing(new IOException("other"))));

        var serializer = fixture.SiloService<Serializer>();
        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(thrown));
        Assert.IsType<StorageUnavailableException>(copy);
        Assert.Equal(thrown.Message, copy.Message);
    }

    /// <summary>Just enough of a grain call context for a filter: Invoke throws.</summary>
    public class Context : DispatchProxy
    {
        private Exception _error = null!;

        public static IIncomingGrainCallContext Throwing(Exception error)
        {
            var context = Create<IIncomingGrainCallContext, Context>();
            ((Context)(object)context)._error = error;
            return context;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args) =>
            method?.Name == nameof(IIncomingGrainCallContext.Invoke) ? Task.FromException(_error) : null;
    }
}
