namespace Concentrator.Testing;

/// <summary>A fresh directory under the temp directory, removed with everything in it on dispose (pass or fail).</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix) => Info = Directory.CreateTempSubdirectory(prefix);

    public DirectoryInfo Info { get; }

    public string FullName => Info.FullName;

    public void Dispose()
    {
        if (Directory.Exists(FullName))
        {
            Directory.Delete(FullName, recursive: true);
        }
    }
}
