namespace ScanLogin.Grains.Tickets;

/// <summary>The one rule for whether an application may run logins through an identity source: at creation and at every phone action.</summary>
public static class IdentitySourceUsability
{
    public static Failure? Check(IdentitySourceSettings? source, string identifier, string appId)
    {
        if (source is null) return new Failure(FailureCodes.IdentitySourceNotFound, $"Identity source {identifier} does not exist.");
        if (!source.Enabled) return new Failure(FailureCodes.IdentitySourceDisabled, $"Identity source {identifier} is disabled.");
        if (!source.ApplicationIds.Contains(appId))
            return new Failure(FailureCodes.IdentitySourceNotEnabledForApp, $"Identity source {identifier} is not enabled for application {appId}.");
        return null;
    }
}
