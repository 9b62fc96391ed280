namespace ScanLogin.Grains.Interfaces;

/// <summary>Who made a change, for the audit log: the platform key, or one pool key.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Actor")]
public sealed record Actor(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Id)
{
    public static readonly Actor Platform = new("platform", "platform");
    public static readonly Actor System = new("system", "system");

    public override string ToString() => $"{Kind}:{Id}";
}

/// <summary>A resource with its optimistic-concurrency revision (the ETag) and timestamps.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Versioned`1")]
public sealed record Versioned<T>(
    [property: Id(0)] T Value,
    [property: Id(1)] int Revision,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset UpdatedAt,
    [property: Id(4)] DateTimeOffset? SecretChangedAt);

/// <summary>A pool API key as listed: never the secret.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.ApiKeyView")]
public sealed record ApiKeyView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>A new pool API key: the only time its full value is seen.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.CreatedApiKey")]
public sealed record CreatedApiKey(
    [property: Id(0)] ApiKeyView Key,
    [property: Id(1)] string Value)
{
    public override string ToString() => $"CreatedApiKey {{ Key = {Key} }}";
}

/// <summary>One page of a listing; <see cref="NextCursor"/> is null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.Page`1")]
public sealed record Page<T>(
    [property: Id(0)] T[] Items,
    [property: Id(1)] string? NextCursor);

/// <summary>One change, as the audit log keeps it. Before and after are JSON with secrets redacted.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string PoolId,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string Actor,
    [property: Id(4)] string Action,
    [property: Id(5)] string ResourceType,
    [property: Id(6)] string ResourceId,
    [property: Id(7)] string? Before,
    [property: Id(8)] string? After);

/// <summary>Listing rows: the JSON of each resource's admin view, read straight from the catalog tables.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.CatalogRow")]
public sealed record CatalogRow(
    [property: Id(0)] string Id,
    [property: Id(1)] string Json);

[GenerateSerializer]
public enum CatalogKind
{
    Pools = 0,
    Applications = 1,
    IdentitySources = 2,
    Users = 3,
}
