namespace ScanLogin.Grains.Interfaces;

/// <summary>A WeChat user who approved a login, as the user pool must resolve it.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.WeChatLogin")]
public sealed record WeChatLogin(
    [property: Id(0)] string IdentitySource,
    [property: Id(1)] string MiniProgramAppId,
    [property: Id(2)] string OpenId,
    [property: Id(3)] string? UnionId,
    [property: Id(4)] string? Phone,
    [property: Id(5)] string? Nickname,
    [property: Id(6)] string? AvatarUrl,
    [property: Id(7)] LoginMode LoginMode,
    [property: Id(8)] AccountAssociation Association)
{
    /// <summary>The pool-wide identity key: the unionid spans a developer's mini programs, an openid only one.</summary>
    public string Subject => UnionId is { Length: > 0 } ? $"unionid:{UnionId}" : $"openid:{MiniProgramAppId}:{OpenId}";

    /// <summary>Whatever logs this (a grain call, a ticket's state) sees the phone masked.</summary>
    public override string ToString() => $"WeChatLogin {{ {IdentitySource}, {Subject}, Phone = {PhoneMask.Mask(Phone)}, {LoginMode}, {Association} }}";
}

/// <summary>How the pool answered a login.</summary>
[GenerateSerializer]
public enum AccountOutcome
{
    SignedIn = 0,
    Created = 1,
    Linked = 2,
    Refused = 3,
    /// <summary>Ask-binding: the PC side must sign in to an existing account (or register one) to finish.</summary>
    BindingRequired = 4,
}

[GenerateSerializer, Immutable, Alias("ScanLogin.AccountResolution")]
public sealed record AccountResolution(
    [property: Id(0)] AccountOutcome Outcome,
    [property: Id(1)] UserProfile? User,
    [property: Id(2)] Failure? Refusal);
