using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScanLogin.Grains.WeChat;

namespace ScanLogin.Grains.QrCodes;

/// <summary>
/// Keeps <see cref="QrOptions.CodePoolSize"/> mini-program codes ready for one privately deployed identity source,
/// generating at most <see cref="QrOptions.CodesPerSecond"/> a second. Held in memory only: a lost pool costs a
/// little WeChat quota, nothing else.
/// </summary>
public sealed class MiniProgramCodePoolGrain(IWeChatApi wechat, IOptions<QrOptions> options, TimeProvider time,
    ILogger<MiniProgramCodePoolGrain> logger) : Grain, IMiniProgramCodePoolGrain
{
    private readonly Queue<(string TicketId, byte[] Image)> _ready = new();
    private readonly Dictionary<string, (byte[] Image, DateTimeOffset HandedOutAt)> _handedOut = [];
    // After consecutive failures WeChat is asked again only after an exponentially longer pause (see WeChatBackoff).
    private int _failures;
    private DateTimeOffset _nextAttemptAt;
    private QrOptions Options => options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Keeps the grain alive and the pool full for as long as the silo runs. Interleaved: while a refill waits on
        // WeChat, TakeAsync and GetCodeAsync still run (each turn is single-threaded, so the queue needs no lock).
        this.RegisterGrainTimer(RefillAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromSeconds(1)) { KeepAlive = true, Interleave = true });
        return Task.CompletedTask;
    }

    Task<string> IMiniProgramCodePoolGrain.TakeAsync()
    {
        if (!_ready.TryDequeue(out var code)) return Task.FromResult(Secrets.NewId());
        _handedOut[code.TicketId] = (code.Image, time.GetUtcNow());
        return Task.FromResult(code.TicketId);
    }

    async Task<Outcome<byte[]>> IMiniProgramCodePoolGrain.GetCodeAsync(string ticketId)
    {
        if (_handedOut.TryGetValue(ticketId, out var handed)) return handed.Image;
        var generated = await GenerateAsync(ticketId);
        if (generated.Value is { } image) _handedOut[ticketId] = (image, time.GetUtcNow());
        return generated;
    }

    Task<int> IMiniProgramCodePoolGrain.CountReadyAsync() => Task.FromResult(_ready.Count);

    private async Task RefillAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var (id, handed) in _handedOut.ToList())
            if (now - handed.HandedOutAt > Options.HandedOutRetention) _handedOut.Remove(id);

        if (now < _nextAttemptAt) return;
        var wanted = Math.Min(Options.CodePoolSize - _ready.Count, Options.CodesPerSecond);
        for (var i = 0; i < wanted && !ct.IsCancellationRequested; i++)
        {
            var ticketId = Secrets.NewId();
            var generated = await GenerateAsync(ticketId);
            if (generated.Value is not { } image)
            {
                _failures++;
                var pause = WeChatBackoff.After(_failures);
                _nextAttemptAt = now + pause;
                logger.LogWarning("Could not pre-generate a mini-program code for {IdentitySource} ({Failures} failures in a row); next try in {Pause}: {Failure}",
                    this.GetPrimaryKeyString(), _failures, pause, generated.Failure);
                Report(generated.Failure!, _nextAttemptAt);
                return;
            }
            if (_failures > 0) Report(null, null);
            _failures = 0;
            _ready.Enqueue((ticketId, image));
        }
    }

    /// <summary>Tells the identity source how WeChat answered, so its operator sees the last error in the admin view.</summary>
    private void Report(Failure? failure, DateTimeOffset? nextAttemptAt)
    {
        if (failure?.Code == FailureCodes.IdentitySourceNotFound) return;
        _ = GrainFactory.GetGrain<IIdentitySourceGrain>(this.GetPrimaryKeyString()).ReportWeChatAsync(failure, nextAttemptAt);
    }

    private async Task<Outcome<byte[]>> GenerateAsync(string ticketId)
    {
        var runtime = await GrainFactory.GetGrain<IIdentitySourceGrain>(this.GetPrimaryKeyString()).GetRuntimeAsync();
        if (runtime is null) return new Failure(FailureCodes.IdentitySourceNotFound, "The identity source no longer exists.");
        var request = new WeChatCodeRequest(ticketId, Options.MiniProgramPage, Options.WeChatCodeWidth, Options.EnvVersion, CheckPath: false);
        return await WeChatCalls.WithAccessTokenAsync(GrainFactory, runtime,
            async token => (await wechat.GetUnlimitedCodeAsync(token, request)).Bytes, logger);
    }
}
