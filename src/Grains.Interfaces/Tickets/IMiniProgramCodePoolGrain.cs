namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// Pre-generated WeChat mini-program codes of one privately deployed identity source (key "pool/identifier"),
/// refilled in the background so ticket creation never waits on WeChat and bursts stay inside its quota.
/// </summary>
[Alias("ScanLogin.IMiniProgramCodePoolGrain")]
public interface IMiniProgramCodePoolGrain : IGrainWithStringKey
{
    /// <summary>A ticket id whose code (scene = that id) is ready, or a fresh id when the pool is empty. Synchronous
    /// inside the grain and interleaved, so ticket creation never queues behind a WeChat call of the pool.</summary>
    [AlwaysInterleave, Alias("Take")]
    Task<string> TakeAsync();

    /// <summary>The code image for a ticket id: the pre-generated one, or one generated now.</summary>
    [Alias("GetCode")]
    Task<Outcome<byte[]>> GetCodeAsync(string ticketId);

    /// <summary>Codes ready to hand out (for tests and metrics).</summary>
    [AlwaysInterleave, Alias("CountReady")]
    Task<int> CountReadyAsync();
}
