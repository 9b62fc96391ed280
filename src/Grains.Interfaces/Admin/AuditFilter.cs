namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// Which audit entries a listing keeps: each set field must match exactly (action, resource type, resource id, actor);
/// <see cref="From"/> is inclusive and <see cref="To"/> exclusive. All null keeps every entry.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.AuditFilter")]
public sealed record AuditFilter(
    [property: Id(0)] string? Action = null,
    [property: Id(1)] string? ResourceType = null,
    [property: Id(2)] string? ResourceId = null,
    [property: Id(3)] DateTimeOffset? From = null,
    [property: Id(4)] DateTimeOffset? To = null,
    [property: Id(5)] string? Actor = null)
{
    public static readonly AuditFilter None = new();

    /// <summary>Whether an entry passes (the in-memory store's rule; PostgreSQL applies the same in its query).</summary>
    public bool Keeps(AuditEntry entry) =>
        (Action is null || entry.Action == Action)
        && (ResourceType is null || entry.ResourceType == ResourceType)
        && (ResourceId is null || entry.ResourceId == ResourceId)
        && (From is null || entry.At >= From)
        && (To is null || entry.At < To)
        && (Actor is null || entry.Actor == Actor);
}
