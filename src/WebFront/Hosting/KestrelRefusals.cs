using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace ScanLogin.WebFront.Hosting;

/// <summary>
/// Gives Kestrel's own refusals (400 for a malformed request line or %00 in the path, 431 for oversized or too many
/// headers, 414, 411, 505, ...) the one problem+json body. Kestrel answers these before any middleware runs and
/// offers no hook, so this watches what the connection writes: a response that starts a write and is an error with
/// <c>Content-Length: 0</c> and <c>Connection: close</c> is Kestrel's (every error of the application has a body) and
/// gets a problem body instead. Everything else passes through untouched, at the cost of one prefix check a write.
/// </summary>
public static class KestrelRefusals
{
    public static void UseProblemRefusals(this ListenOptions listen) =>
        listen.Use(next => context =>
        {
            var transport = context.Transport;
            context.Transport = new Duplex(transport.Input, new RefusalWriter(transport.Output));
            return next(context);
        });

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>The problem a refusal becomes: only its status is known, so the code and detail follow from that.</summary>
    internal static byte[] Rewrite(ReadOnlySpan<byte> written)
    {
        var head = Encoding.ASCII.GetString(written);
        if (!int.TryParse(head.AsSpan(9, 3), out var status)) return [];
        var (code, detail) = status switch
        {
            431 => ("request_headers_too_large", "The request's headers are too large or too many."),
            414 => ("uri_too_long", "The request's URL is too long."),
            413 => ("payload_too_large", "The request's body is too large."),
            411 => ("length_required", "The request needs a Content-Length."),
            408 => ("request_timeout", "The request was not received in time."),
            505 => ("http_version_not_supported", "This HTTP version is not supported."),
            >= 500 => ("internal_error", "An unexpected error occurred."),
            _ => ("malformed_request", "The request could not be read: its request line, a header or the URL is malformed."),
        };
        var title = ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["title"] = title, ["status"] = status, ["detail"] = detail, ["code"] = code,
        });
        var headers = head[..head.IndexOf("\r\nContent-Length: 0\r\n", StringComparison.OrdinalIgnoreCase)] +
                      $"\r\nContent-Type: application/problem+json\r\nContent-Length: {body.Length}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(headers), .. body];
    }

    /// <summary>True for a whole header block of an error response without a body on a connection about to close.</summary>
    internal static bool IsRefusal(ReadOnlySpan<byte> written) =>
        written.Length is > 16 and < 4096
        && (written.StartsWith("HTTP/1.1 4"u8) || written.StartsWith("HTTP/1.1 5"u8) || written.StartsWith("HTTP/1.0 4"u8))
        && written.EndsWith("\r\n\r\n"u8)
        && written.IndexOf("\r\n\r\n"u8) == written.Length - 4
        && Contains(written, "\r\ncontent-length: 0\r\n"u8)
        && Contains(written, "\r\nconnection: close\r\n"u8);

    private static bool Contains(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerNeedle)
    {
        Span<byte> lower = stackalloc byte[text.Length];
        for (var i = 0; i < text.Length; i++) lower[i] = text[i] is >= (byte)'A' and <= (byte)'Z' ? (byte)(text[i] | 0x20) : text[i];
        return lower.IndexOf(lowerNeedle) >= 0;
    }

    /// <summary>Hands Kestrel the inner writer's memory and looks at each committed write before passing it on.</summary>
    private sealed class RefusalWriter(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> _last;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            var written = bytes <= _last.Length ? _last.Span[..bytes] : default;
            if (written.Length > 16 && written[0] == (byte)'H' && IsRefusal(written))
            {
                var replacement = Rewrite(written);
                if (replacement.Length > 0)
                {
                    _last = default;
                    // Nothing was committed yet: write the replacement over the same uncommitted buffer.
                    var target = inner.GetSpan(replacement.Length);
                    replacement.CopyTo(target);
                    inner.Advance(replacement.Length);
                    return;
                }
            }
            _last = default;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
