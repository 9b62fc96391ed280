using System.Diagnostics.Metrics;
using ScanLogin.WebFront.Observability;
using Xunit;

namespace ScanLogin.UnitTests;

public sealed class FrontEndMetricsTests
{
    /// <summary>Reads scanlogin.browsers.waiting the way a meter provider that starts now would.</summary>
    private static long WaitingSeenByANewListener()
    {
        long seen = 0;
        var found = false;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == FrontEndMetrics.MeterName && instrument.Name == "scanlogin.browsers.waiting") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => { seen += value; found = true; });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.True(found, "the waiting gauge was not observed");
        return seen;
    }

    [Fact]
    public void A_provider_that_starts_while_browsers_wait_counts_them()
    {
        // A browser started waiting before this listener existed: an exporter started later (a second host in the
        // process, a restarted provider) must still count it, and must not go below zero when it leaves.
        FrontEndMetrics.BrowserWaits();
        try
        {
            Assert.True(WaitingSeenByANewListener() >= 1);
        }
        finally
        {
            FrontEndMetrics.BrowserLeaves();
        }
        Assert.True(WaitingSeenByANewListener() >= 0);
    }
}
