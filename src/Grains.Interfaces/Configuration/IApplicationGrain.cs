namespace ScanLogin.Grains.Interfaces;

/// <summary>One application: its settings and the hash of its secret.</summary>
[Alias("ScanLogin.IApplicationGrain")]
public interface IApplicationGrain : IGrainWithStringKey
{
    /// <summary>The application's settings, or null for an unknown application.</summary>
    [ReadOnly, Alias("Get")]
    Task<ApplicationSettings?> GetAsync();

    /// <summary>Creates or replaces the application as the system (seeding, tests); a null secret keeps the current one.</summary>
    [Alias("Save")]
    Task SaveAsync(ApplicationSettings settings, string? appSecret);

    /// <summary>The settings with their revision and times, for the admin API; null when unknown.</summary>
    [ReadOnly, Alias("GetVersioned")]
    Task<Versioned<ApplicationSettings>?> GetVersionedAsync();

    /// <summary>Creates the application with a freshly generated secret.</summary>
    [Alias("Create")]
    Task<Outcome<CreatedApplication>> CreateAsync(ApplicationSettings settings, Actor actor);

    /// <summary>Operators: changes the settings when <paramref name="ifRevision"/> (if given) is still current; the secret stays.</summary>
    [Alias("Update")]
    Task<Outcome<Versioned<ApplicationSettings>>> UpdateAsync(ApplicationSettings settings, int? ifRevision, Actor actor);

    /// <summary>Replaces the secret with a new one, returned once.</summary>
    [Alias("RotateSecret")]
    Task<Outcome<CreatedApplication>> RotateSecretAsync(int? ifRevision, Actor actor);

    /// <summary>Operators: deletes the application: it can no longer open tickets or redeem codes.</summary>
    [Alias("Delete")]
    Task<Outcome<bool>> DeleteAsync(int? ifRevision, Actor actor);

    /// <summary>Compares in constant time; false for an unknown application.</summary>
    [ReadOnly, Alias("VerifySecret")]
    Task<bool> VerifySecretAsync(string appSecret);
}
