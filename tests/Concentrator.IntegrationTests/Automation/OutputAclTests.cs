using System.Net;
using Concentrator.IntegrationTests.Management;
using Concentrator.Testing;

namespace Concentrator.IntegrationTests.Automation;

/// <summary>
/// Watching a port's output through the API needs what watching it in a session or the dashboard needs: a loopback
/// caller without a token is the principal "local" (web:local), and a port whose ACL does not list it refuses it —
/// the output stream and expect as much as the dashboard's scrollback.
/// </summary>
public sealed class OutputAclTests : IntegrationTest
{
    [Fact]
    public async Task A_tokenless_loopback_caller_reads_only_the_output_of_ports_whose_acl_admits_it()
    {
        var daemon = Track(DaemonProcess.Start($$"""
            concentrator.ports {
              secret { device = "sim:echo", acl { read-write = ["alice"] }, listeners = [ { port = {{FreeTcpPort.Next()}} } ] }
              shared { device = "sim:echo", acl { read-write = ["alice"], read-only = ["web:local"] }, listeners = [ { port = {{FreeTcpPort.Next()}} } ] }
            }
            """));
        daemon.WaitOnline("secret", "shared");
        using var api = new ApiHttp(daemon.ApiUrl);

        var stream = await api.GetAsync("/api/ports/secret/output?from=start");
        Assert.Equal(HttpStatusCode.Forbidden, stream.Status);
        var expect = await api.PostAsync("/api/ports/secret/expect", """{"pattern": "x", "from": "start", "timeout": "1s"}""");
        Assert.Equal(HttpStatusCode.Forbidden, expect.Status);
        var scrollback = await api.GetAsync("/api/ports/secret/scrollback");
        Assert.Equal(HttpStatusCode.Forbidden, scrollback.Status); // the same answer the dashboard's scrollback gives

        var admitted = await api.PostAsync("/api/ports/shared/expect", """{"pattern": "never", "from": "start", "timeout": "200ms"}""");
        Assert.Equal(HttpStatusCode.RequestTimeout, admitted.Status); // watched, nothing matched: the control
    }
}
