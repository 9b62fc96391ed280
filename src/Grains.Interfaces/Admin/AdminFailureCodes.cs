namespace ScanLogin.Grains.Interfaces;

/// <summary>Failure codes of the admin API.</summary>
public static class AdminFailureCodes
{
    public const string NotFound = "not_found";
    public const string Exists = "already_exists";
    public const string PreconditionFailed = "precondition_failed";
    public const string ValidationFailed = "validation_failed";
    public const string NotEmpty = "not_empty";
    /// <summary>A mini-program AppID another pool's identity source already uses.</summary>
    public const string MiniProgramInUse = "mini_program_in_use";
}
