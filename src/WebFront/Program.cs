using ScanLogin.WebFront.Hosting;

var app = FrontEndApp.Create(args);
app.Run();

/// <summary>Visible to tests that host the front end.</summary>
public partial class Program;
