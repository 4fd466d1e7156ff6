using Microsoft.Playwright;

namespace Concentrator.Web.Tests;

/// <summary>
/// One headless Chromium for a test class: Debian's /usr/bin/chromium driven by Playwright (nothing is downloaded;
/// tools/test.sh installs chromium with apt). Screenshots go to <see cref="Artifacts"/>. A subclass may add command-line
/// switches (<see cref="ExtraArgs"/>), for tests that need a browser set up otherwise.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots are saved: artifacts/ beside the test assembly.</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium package (tools/test.sh does)");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Containers: a small /dev/shm, no GPU.
            Args = ["--disable-dev-shm-usage", "--disable-gpu", .. ExtraArgs],
        });
    }

    /// <summary>Chromium switches beyond the defaults.</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    /// <summary>A fresh page (its own context: no shared cookies or storage) at a readable size.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1400, Height = 640 },
            DeviceScaleFactor = 1,
        });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
