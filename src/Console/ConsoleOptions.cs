namespace ScanLogin.OperatorConsole;

/// <summary>Console settings (section "ScanLogin:Console").</summary>
public sealed class ConsoleOptions
{
    public const string Section = "ScanLogin:Console";

    /// <summary>Where the admin API is (a ScanLogin front end); the console calls {this}/admin/v1 with the operator's key.</summary>
    public string AdminApiBaseUrl { get; set; } = "http://127.0.0.1:5000/";

    /// <summary>A session ends after this long without a request (sliding); the operator signs in again.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Where Data Protection keeps the keys that encrypt session cookies (else ASP.NET Core's default place); share it between instances.</summary>
    public string? DataProtectionKeysPath { get; set; }
}
