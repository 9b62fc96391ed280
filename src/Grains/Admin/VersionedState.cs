namespace ScanLogin.Grains.Admin;

/// <summary>An operator-managed resource's persisted state: its value, revision (the ETag) and timestamps.</summary>
[GenerateSerializer, Alias("ScanLogin.VersionedState`1")]
public sealed class VersionedState<T> where T : class
{
    [Id(0)] public T? Value { get; set; }
    [Id(1)] public int Revision { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public DateTimeOffset? SecretChangedAt { get; set; }

    public Versioned<T>? ToVersioned() => Value is null ? null : new(Value, Revision, CreatedAt, UpdatedAt, SecretChangedAt);

    /// <summary>Null when a change may go ahead: the resource exists and, if the caller named a revision, it is the current one.</summary>
    public Failure? CheckUpdate(string what, int? ifRevision)
    {
        if (Value is null) return new Failure(AdminFailureCodes.NotFound, $"{what} does not exist.");
        if (ifRevision is { } expected && expected != Revision)
            return new Failure(AdminFailureCodes.PreconditionFailed, $"{what} has changed (revision {Revision}, not {expected}); read it again.");
        return null;
    }

    public void Set(T value, DateTimeOffset now, bool secretChanged)
    {
        if (Value is null) CreatedAt = now;
        Value = value;
        Revision++;
        UpdatedAt = now;
        if (secretChanged) SecretChangedAt = now;
    }
}
