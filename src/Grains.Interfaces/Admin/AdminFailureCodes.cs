namespace ScanLogin.Grains.Interfaces;

/// <summary>Failure codes of the admin API.</summary>
public static class AdminFailureCodes
{
    public const string NotFound = "not_found";
    public const string Exists = "already_exists";
    public const string PreconditionFailed = "precondition_failed";
    public const string ValidationFailed = "validation_failed";
    public const string NotEmpty = "not_empty";
}
