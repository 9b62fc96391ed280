namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// Login inside the mini program itself (no PC, no ticket), keyed by identity source ("pool/identifier"): the wx.login
/// code names the WeChat user as a scan would, the pool resolves it under the source's account policy, and the pool's
/// issuer signs the tokens. A stateless worker: it holds nothing, every silo answers locally.
/// </summary>
[Alias("ScanLogin.IMiniProgramLoginGrain")]
public interface IMiniProgramLoginGrain : IGrainWithStringKey
{
    /// <summary>
    /// Trades a wx.login code (and optionally a phone-number code) of the source's own mini program for the pool's tokens,
    /// or for what the mini program may do next when the source asks for binding. Refusals carry the stable failure codes.
    /// </summary>
    [Alias("Login")]
    Task<Outcome<MiniProgramLoginResult>> LoginAsync(MiniProgramLoginRequest request);
}

/// <summary>A login code from wx.login (and a phone-number code) for an application of the source's pool.</summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.MiniProgramLoginRequest")]
public sealed record MiniProgramLoginRequest(
    [property: Id(0)] string AppId,
    [property: Id(1)] string LoginCode,
    [property: Id(2)] string? PhoneCode)
{
    public override string ToString() => $"MiniProgramLoginRequest {{ AppId = {AppId} }}";
}

/// <summary>
/// Signed in (<see cref="User"/> and <see cref="Tokens"/>), or binding required: the source wants the person to link an
/// existing account first; <see cref="CanRegister"/> says whether a new one may be made instead.
/// </summary>
[GenerateSerializer, Immutable, Alias("ScanLogin.MiniProgramLoginResult")]
public sealed record MiniProgramLoginResult(
    [property: Id(0)] UserProfile? User,
    [property: Id(1)] IssuedTokens? Tokens,
    [property: Id(2)] bool BindingRequired,
    [property: Id(3)] bool CanRegister,
    [property: Id(4)] bool PhoneShared)
{
    /// <summary>amr of a login made inside the mini program (no PC code was scanned).</summary>
    public const string AuthenticationMethod = "wechat_mini_program";
}
