using ScanLogin.Grains.Interfaces;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// Read your writes on one front end: every ticket status this host gets back from a grain call it makes (scan,
/// confirm, cancel, binding, hosted login) goes into the feed at once, and an exchange, which answers no status,
/// makes the feed ask the grain at the next read. So a page reading through the front end that served the phone
/// never sees the move late, whatever the push's own timing; other front ends hear it by push.
/// </summary>
internal sealed class TicketMovesSeen(IServiceProvider services) : IOutgoingGrainCallFilter
{
    // Resolved on first use: the feed needs the cluster client, which is built with this filter.
    private TicketFeed? _feed;

    private TicketFeed Feed => _feed ??= services.GetRequiredService<TicketFeed>();

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        // The feed's own status reads and watches are not moves, and it applies their answers itself: passed through with
        // nothing added (they are most of a front end's grain calls).
        if (IsFeedRead(context)) return context.Invoke();
        var call = context.Invoke();
        if (!call.IsCompletedSuccessfully) return SeeLaterAsync(call, context);
        See(context);
        return Task.CompletedTask;
    }

    private async Task SeeLaterAsync(Task call, IOutgoingGrainCallContext context)
    {
        await call;
        See(context);
    }

    private static bool IsFeedRead(IOutgoingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType == typeof(ITicketGrain) && context.MethodName is nameof(ITicketGrain.GetStatusAsync) or nameof(ITicketGrain.WatchAsync);

    // A browser woken by this rather than by the push is timed from here (confirm-to-browser metric), as the push would be.
    private static TicketSnapshot Stamped(TicketSnapshot snapshot) => snapshot.ChangedAt is null ? snapshot with { ChangedAt = DateTimeOffset.UtcNow } : snapshot;

    private void See(IOutgoingGrainCallContext context)
    {
        switch (context.Result)
        {
            case Outcome<TicketSnapshot> { Value: { } snapshot }:
                Feed.Observe(Stamped(snapshot));
                break;
            case Outcome<ScanView> { Value: { } view }:
                Feed.Observe(Stamped(view.Ticket));
                break;
            case Outcome<ExchangeGrant>:
                Feed.Invalidate(context.TargetId.Key.ToString());
                break;
        }
    }
}
