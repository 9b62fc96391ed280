using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ScanLogin.Grains.Storage;

/// <summary>
/// Turns a Redis failure escaping a grain call into <see cref="StorageUnavailableException"/>: Orleans cannot serialize
/// StackExchange.Redis' exceptions, so a Redis restart reached front ends as a codec error, a 500, instead of a 503 to
/// retry. The original is logged here, once, where it happened.
/// </summary>
public sealed class StorageFaultFilter(ILogger<StorageFaultFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        // The client's socket layer can also surface its own connection errors as they are (seen in a Redis restart under
        // load: a move's script failing with a raw ConnectionResetException, a 500).
        catch (Exception e) when (e is RedisException or RedisTimeoutException
                                      or Pipelines.Sockets.Unofficial.ConnectionResetException or Pipelines.Sockets.Unofficial.ConnectionAbortedException)
        {
            logger.LogWarning(e, "Redis failed under {Method}", context.InterfaceMethod?.Name);
            throw new StorageUnavailableException("The ticket store is unavailable; try again.");
        }
    }
}
