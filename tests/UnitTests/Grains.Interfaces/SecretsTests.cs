using System.Collections.Concurrent;
using ScanLogin.Grains.Interfaces;
using Xunit;

namespace ScanLogin.UnitTests;

/// <summary>Ids and secrets come from a per-thread buffer of random bytes: their shape, and no repeats across refills and threads.</summary>
public sealed class SecretsTests
{
    [Fact]
    public void Ids_and_secrets_are_base64url_of_their_size_and_never_repeat_across_buffer_refills_and_threads()
    {
        var seen = new ConcurrentDictionary<string, bool>();
        // 4 threads x 600 draws of 16 and 32 bytes: each thread's 4 KiB buffer is refilled several times.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (var i = 0; i < 600; i++)
            {
                var id = Secrets.NewId();
                var secret = Secrets.NewSecret();
                Assert.True(Secrets.IsWellFormedId(id), id);
                Assert.Equal(43, secret.Length);
                Assert.All(secret, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
                Assert.True(seen.TryAdd(id, true), $"repeated id {id}");
                Assert.True(seen.TryAdd(secret, true), $"repeated secret {secret}");
            }
        });
        Assert.Equal(4 * 600 * 2, seen.Count);
        // Not a constant or a counter: the 16 bytes behind ids vary in every position.
        var decoded = seen.Keys.Where(k => k.Length == 22).Select(k => System.Buffers.Text.Base64Url.DecodeFromChars(k)).ToArray();
        for (var position = 0; position < 16; position++)
            Assert.True(decoded.Select(d => d[position]).Distinct().Count() > 200, $"byte {position} barely varies");
    }
}
