using ScanLogin.Grains.Storage;

namespace ScanLogin.Grains.Sessions;

/// <summary>A pool's hosted-login session, stored under the hash of the browser's token until it expires.</summary>
[GenerateSerializer, Alias("ScanLogin.LoginSession")]
public sealed class LoginSession : IVersionedRecord
{
    [Id(0)] public string PoolId { get; set; } = "";
    [Id(1)] public string UserId { get; set; } = "";
    [Id(2)] public DateTimeOffset AuthTime { get; set; }
    [Id(3)] public string IdentitySource { get; set; } = "";
    [Id(4)] public string[] AuthenticationMethods { get; set; } = [];
    [Id(5)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(6)] public int Version { get; set; }
}

/// <summary>A refresh-token family: what it grants, the hash of its one current token and the hashes of spent ones.</summary>
[GenerateSerializer, Alias("ScanLogin.RefreshFamily")]
public sealed class RefreshFamily : IVersionedRecord
{
    [Id(0)] public string PoolId { get; set; } = "";
    [Id(1)] public string ClientId { get; set; } = "";
    [Id(2)] public string UserId { get; set; } = "";
    [Id(3)] public string[] Scopes { get; set; } = [];
    [Id(4)] public DateTimeOffset AuthTime { get; set; }
    [Id(5)] public string IdentitySource { get; set; } = "";
    [Id(6)] public string[] AuthenticationMethods { get; set; } = [];
    [Id(7)] public string CurrentHash { get; set; } = "";
    [Id(8)] public string[] SpentHashes { get; set; } = [];
    [Id(9)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(10)] public int Version { get; set; }
    /// <summary>The client proved its secret when the family started: every refresh must prove it too.</summary>
    [Id(11)] public bool ClientAuthenticated { get; set; }
}
