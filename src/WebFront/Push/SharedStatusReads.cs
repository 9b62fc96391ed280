using System.Collections.Concurrent;
using ScanLogin.Grains.Interfaces;
using ScanLogin.WebFront.Observability;

namespace ScanLogin.WebFront.Push;

/// <summary>
/// Plain status reads of tickets no browser waits on here: one <see cref="ITicketGrain.GetStatusAsync"/> call, which does not
/// watch, so a polling client never makes the grain hold and push to this host. The reads of one ticket that arrive while a
/// call is in flight, or less than <see cref="FeedOptions.ReadSharing"/> after it was sent, share its answer: a flood of reads
/// of one ticket costs the grain one call per window, and an answer is never older than the window plus one round trip.
/// </summary>
internal sealed class SharedStatusReads
{
    private readonly ConcurrentDictionary<string, SharedRead> _reads = new(StringComparer.Ordinal);

    /// <summary>Reads being shared right now or lately (for tests).</summary>
    public int Count => _reads.Count;

    /// <summary>
    /// The answer of a call sent less than <paramref name="window"/> before <paramref name="now"/> in this <paramref name="epoch"/>
    /// if it has come back, else null (the hot path of a flood of reads: no allocation, no grain call).
    /// </summary>
    public Outcome<TicketSnapshot>? TryShared(string ticketId, DateTimeOffset now, int epoch, TimeSpan window) =>
        _reads.TryGetValue(ticketId, out var read) && read.Serves(now, epoch, window) ? read.AnsweredNow : null;

    /// <summary>The ticket's status from a call sent less than <paramref name="window"/> before <paramref name="now"/> in this
    /// <paramref name="epoch"/> (in flight or answered), else from a new status call.</summary>
    public async Task<Outcome<TicketSnapshot>> ReadAsync(string ticketId, DateTimeOffset now, int epoch, TimeSpan window, IClusterClient client)
    {
        while (true)
        {
            if (_reads.TryGetValue(ticketId, out var read) && read.Serves(now, epoch, window))
            {
                FrontEndMetrics.ReadFromFeed();
                return await read.Answered;
            }
            var fresh = new SharedRead(now, epoch);
            if (!(read is null ? _reads.TryAdd(ticketId, fresh) : _reads.TryUpdate(ticketId, fresh, read))) continue;
            FrontEndMetrics.ReadFromGrain();
            try
            {
                fresh.Answer(await client.GetGrain<ITicketGrain>(ticketId).GetStatusAsync());
            }
            catch (Exception e)
            {
                fresh.Fail(e);
                _reads.TryRemove(new KeyValuePair<string, SharedRead>(ticketId, fresh));
                throw;
            }
            // An unknown id leaves nothing behind (the readers that joined the call share the 404).
            if (!fresh.Succeeded) _reads.TryRemove(new KeyValuePair<string, SharedRead>(ticketId, fresh));
            return await fresh.Answered;
        }
    }

    /// <summary>A status this host saw from its own grain calls: later shared answers are no older than it.</summary>
    public void Observe(TicketSnapshot snapshot)
    {
        if (_reads.TryGetValue(snapshot.TicketId, out var read)) read.See(snapshot);
    }

    /// <summary>The ticket moved in a way this host saw no status of (an exchange): the next read asks the grain.</summary>
    public void Invalidate(string ticketId) => _reads.TryRemove(ticketId, out _);

    /// <summary>Drops the reads whose window has passed.</summary>
    public void Sweep(DateTimeOffset now, TimeSpan window)
    {
        foreach (var (id, read) in _reads)
            if (read.IsOver(now, window)) _reads.TryRemove(new KeyValuePair<string, SharedRead>(id, read));
    }

    private sealed class SharedRead(DateTimeOffset sentAt, int epoch)
    {
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource<Outcome<TicketSnapshot>> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TicketSnapshot? _seen;

        public bool Succeeded => _answer.Task.IsCompletedSuccessfully && _answer.Task.Result.Succeeded;

        /// <summary>The call's answer, or a newer status this host saw since it was sent.</summary>
        public Task<Outcome<TicketSnapshot>> Answered => _answer.Task.IsCompletedSuccessfully ? Task.FromResult(Newest(_answer.Task.Result)) : AnsweredLaterAsync();

        /// <summary>The answer if the call has come back, else null.</summary>
        public Outcome<TicketSnapshot>? AnsweredNow => _answer.Task.IsCompletedSuccessfully ? Newest(_answer.Task.Result) : null;

        private async Task<Outcome<TicketSnapshot>> AnsweredLaterAsync() => Newest(await _answer.Task);

        // Read without the lock: the hot path of a flood of reads of one ticket; a move seen a moment later is the next read's.
        private Outcome<TicketSnapshot> Newest(Outcome<TicketSnapshot> answer) =>
            Volatile.Read(ref _seen) is { } seen && answer.Value is { } value && seen.Version > value.Version ? seen : answer;

        // The call was sent at sentAt: whatever it answers is the ticket as of then or later. A pending ticket whose deadline
        // passed on this host's clock is asked again (the grain decides what a passed deadline means).
        public bool Serves(DateTimeOffset now, int currentEpoch, TimeSpan window)
        {
            if (epoch != currentEpoch || now - sentAt >= window || _answer.Task.IsFaulted) return false;
            if (!_answer.Task.IsCompletedSuccessfully || _answer.Task.Result.Value is not { } latest) return true;
            return latest.Status.IsTerminal() || latest.ExpiresAt is not { } expires || now < expires;
        }

        public bool IsOver(DateTimeOffset now, TimeSpan window) => _answer.Task.IsCompleted && now - sentAt >= window;

        public void See(TicketSnapshot snapshot)
        {
            lock (_gate)
                if (_seen is null || snapshot.Version > _seen.Version) Volatile.Write(ref _seen, snapshot);
        }

        public void Answer(Outcome<TicketSnapshot> outcome) => _answer.TrySetResult(outcome);

        public void Fail(Exception e) => _answer.TrySetException(e);
    }
}
