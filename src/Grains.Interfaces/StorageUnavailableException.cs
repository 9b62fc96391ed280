namespace ScanLogin.Grains.Interfaces;

/// <summary>
/// A store (Redis, PostgreSQL) failed under a grain call: temporary, the caller may retry (front ends answer 503). Its
/// driver's exception stays in the silo's log; it cannot cross to a front end, whose serializer does not know its type.
/// </summary>
[GenerateSerializer, Alias("ScanLogin.StorageUnavailableException")]
public sealed class StorageUnavailableException : OrleansException
{
    public StorageUnavailableException(string message) : base(message)
    {
    }
}
