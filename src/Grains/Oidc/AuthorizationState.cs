using ScanLogin.Grains.Storage;

namespace ScanLogin.Grains.Oidc;

/// <summary>Everything one hosted login remembers; kept in an <see cref="IExpiringRecordStore{T}"/>, which forgets it at its deadline.</summary>
[GenerateSerializer, Alias("ScanLogin.AuthorizationState")]
public sealed class AuthorizationState : IVersionedRecord
{
    [Id(0)] public AuthorizationRequest Request { get; set; } = null!;
    [Id(1)] public string TicketId { get; set; } = "";
    [Id(2)] public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Set once the confirmed ticket was exchanged: the hash of the code handed to the browser.</summary>
    [Id(3)] public string? CodeHash { get; set; }
    [Id(4)] public DateTimeOffset? CodeExpiresAt { get; set; }
    [Id(5)] public UserProfile? User { get; set; }
    [Id(6)] public DateTimeOffset? AuthTime { get; set; }
    /// <summary>True once a token request used the code (or tried it with a wrong verifier): every later use is a replay.</summary>
    [Id(7)] public bool CodeUsed { get; set; }
    /// <summary>The store's compare-and-set version: 1 once started, one more per stored change.</summary>
    [Id(8)] public int Version { get; set; }

    /// <summary>When the store may forget the login: its request's lifetime, or a code's if that ends later (a used code
    /// is kept until then, so a replay is recognised).</summary>
    public DateTimeOffset Deadline => CodeExpiresAt is { } code && code > ExpiresAt ? code : ExpiresAt;
}
