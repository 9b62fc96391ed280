using System.Text;

namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// What may be part of a grain key or a stored id: no control characters (PostgreSQL refuses NUL, logs and
/// terminals misread the rest) and no lone surrogates (they cannot be stored as UTF-8). The front end refuses such
/// input at the edge; <see cref="GrainKeyGuard"/> makes sure nothing slips past it into a grain's identity.
/// </summary>
public static class GrainKeys
{
    public static bool IsSafe(string? value) => value is null || IsSafeText(value);

    /// <summary>True when the text has no control character (C0, DEL, C1) and no lone surrogate.</summary>
    public static bool IsSafeText(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c)) return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    /// <summary>The same rule on a UTF-8 key: control bytes, and C1 controls (U+0080 to U+009F, encoded C2 80 to C2 9F).</summary>
    public static bool IsSafeUtf8(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < key.Length; i++)
        {
            var b = key[i];
            if (b < 0x20 || b == 0x7F) return false;
            if (b == 0xC2 && i + 1 < key.Length && key[i + 1] is >= 0x80 and <= 0x9F) return false;
        }
        return true;
    }
}

/// <summary>A grain key carried a control character: a caller's mistake, answered 400, never an activation.</summary>
public sealed class UnsafeGrainKeyException(string message) : ArgumentException(message);

/// <summary>
/// Refuses any call to a grain whose key carries a control character, before it leaves the caller: such a grain
/// would try to load its state with that key and fail (PostgreSQL: 22021) or store an id no listing can page past.
/// </summary>
public sealed class GrainKeyGuard : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (!GrainKeys.IsSafeUtf8(context.TargetId.Key.AsSpan()))
            throw new UnsafeGrainKeyException($"A grain key of type {context.TargetId.Type} carries a control character.");
        return context.Invoke();
    }
}
