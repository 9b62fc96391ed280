using ScanLogin.SampleSite;

SampleSiteApp.Create(args).Run();

/// <summary>Visible to tests that host the sample site.</summary>
public partial class Program;
