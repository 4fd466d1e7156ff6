using Concentrator.Client.Import;
using System.Globalization;
using System.Text;
using Concentrator.Client.Ser2net;
using Concentrator.Devices;
using Concentrator.Ports.Configuration;
using CsCheck;

namespace Concentrator.Client.Tests;

/// <summary>The YAML side of import-ser2net: what YAML itself allows, as ser2net (libyaml) reads it.</summary>
public sealed class Ser2netYamlTests
{
    private static Dictionary<string, PortSettings> Ports(ImportResult result)
    {
        var loaded = ConfigLoader.Load(result.Hocon, "imported", ".");
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + result.Hocon);
        return loaded.Settings!.Ports.ToDictionary(p => p.Name);
    }

    private static Ser2netFormatException Broken(string yaml) =>
        Assert.Throws<Ser2netFormatException>(() => Ser2netImporter.Convert(yaml, "/etc/ser2net/ser2net.yaml"));

    [Fact]
    public void SingleAndDoubleQuotedScalarsAreUnquoted()
    {
        const string yaml = """
            connection: &quoted
              accepter: 'telnet(rfc2217),tcp,2000'
              connector: "serialdev,/dev/ttyS0,115200n81"
              options:
                banner: 'It''s \d # not a comment'
            """;

        var port = Ports(Ser2netImporter.Convert(yaml, "ser2net.yaml"))["quoted"];

        Assert.Equal("/dev/ttyS0", port.Device);
        Assert.Equal(2000, port.Listeners[0].Port);
        Assert.Equal(ListenerProtocol.Rfc2217, port.Listeners[0].Protocol);
        Assert.Equal(115200, port.Line.BaudRate);
        Assert.Equal("It's /dev/ttyS0 # not a comment", port.Banner); // single quotes keep ser2net's \d for the banner
    }

    [Fact]
    public void DoubleQuotedEscapesAreYamlsThenSer2netsOwn()
    {
        // YAML turns "\\d" into \d (ser2net's device escape) and "\t" into a tab.
        const string yaml = """
            connection: &esc
              accepter: tcp,2001
              connector: serialdev,/dev/ttyS1,9600
              options:
                banner: "\\d\tport \\p \"quoted\""
            """;

        var entries = Ser2netYamlReader.ReadTopLevel(yaml, "ser2net.yaml");
        Assert.Equal("\\d\tport \\p \"quoted\"", entries[0].Value.ValueOf("options")!.ValueOf("banner")!.Scalar);

        var port = Ports(Ser2netImporter.Convert(yaml, "ser2net.yaml"))["esc"];
        Assert.Equal("/dev/ttyS1\tport 2001 \"quoted\"", port.Banner);
    }

    [Fact]
    public void AnUnknownEscapeInDoubleQuotesIsAnErrorThatExplainsSer2netsEscapes()
    {
        // libyaml, which ser2net reads its config with, rejects "\d" too.
        var e = Broken("""
            connection: &c
              accepter: tcp,2000
              connector: serialdev,/dev/ttyS0
              options:
                banner: "on \d"
            """);

        Assert.Equal((5, 13), (e.Line, e.Column));
        Assert.Contains("escape", e.Message, StringComparison.Ordinal);
        Assert.Contains(@"""\\d""", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LiteralAndFoldedBlockScalars()
    {
        const string yaml = """
            connection: &block
              accepter: tcp,2002
              connector: >
                serialdev,
                /dev/ttyS2,
                19200e71
              options:
                banner: |
                  Welcome to \d
                    at \s
            """;

        var port = Ports(Ser2netImporter.Convert(yaml, "ser2net.yaml"))["block"];

        Assert.Equal("/dev/ttyS2", port.Device);
        Assert.Equal(new LineSettings(19200, 7, Parity.Even, StopBits.One, FlowControl.None), port.Line);
        Assert.Equal("Welcome to /dev/ttyS2\n  at 19200E71", port.Banner); // line breaks and inner indentation kept
    }

    [Fact]
    public void FlowMappingsAndFlowSequences()
    {
        // In flow style a comma separates entries, so gensio strings are quoted.
        const string yaml = """
            connection: &flow { accepter: "tcp,2003", connector: "serialdev,/dev/ttyS3,57600", options: { kickolduser: true, max-connections: 2 } }
            rotator: &rot
              accepter: tcp,4000
              connections: [ *flow, "other" ]
            """;

        var result = Ser2netImporter.Convert(yaml, "ser2net.yaml");

        var port = Assert.Single(Ports(result)).Value;
        Assert.Equal("flow", port.Name);
        Assert.Equal(2003, port.Listeners[0].Port);
        Assert.Equal(57600, port.Line.BaudRate);
        Assert.True(port.KickOld);
        Assert.Equal(2, port.MaxSessions);
        Assert.Contains("'rotator:' is not supported", string.Join("\n", result.Warnings), StringComparison.Ordinal);
        var rotator = Ser2netYamlReader.ReadTopLevel(yaml, "ser2net.yaml")[1].Value;
        Assert.Equal(new string?[] { "flow", null }, rotator.ValueOf("connections")!.Items!.Select(i => i.Anchor));
    }

    [Fact]
    public void TabIndentationIsAClearErrorAtTheTab()
    {
        var e = Broken("connection: &c\n  accepter: tcp,2000\n\tconnector: serialdev,/dev/ttyS0\n");

        Assert.Equal("ser2net.yaml", e.File);
        Assert.Equal((3, 1), (e.Line, e.Column));
        Assert.StartsWith("ser2net.yaml:3:1: tabs are not allowed for indentation", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATabIndentedContinuationLineIsAClearErrorAtTheTab()
    {
        var e = Broken("connection: &c\n  accepter: tcp,2000\n  connector: serialdev,\n  \t/dev/ttyS0\n");

        Assert.Equal((4, 3), (e.Line, e.Column));
        Assert.Contains("tabs are not allowed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATabBetweenKeyAndValueIsAllowed()
    {
        var port = Ports(Ser2netImporter.Convert("connection: &c\n  accepter:\ttcp,2000\n  connector: serialdev,/dev/ttyS0\n", "ser2net.yaml"))["c"];

        Assert.Equal(2000, port.Listeners[0].Port);
    }

    [Fact]
    public void SeveralConnectionsAsRepeatedKeysAndAsDocuments()
    {
        // ser2net's "version 1" files repeat connection: in one mapping; "version 2" files put them in --- documents.
        const string yaml = """
            %YAML 1.1
            ---
            connection: &a
              accepter: tcp,3001
              connector: serialdev,/dev/ttyUSB1,9600
            connection: &b
              accepter: tcp,3002
              connector: serialdev,/dev/ttyUSB2,9600
            ---
            connection: &c
              accepter: tcp,3003
              connector: serialdev,/dev/ttyUSB3,9600
            ...
            ---
            connection:
              accepter: tcp,3004
              connector: serialdev,/dev/ttyUSB4,9600
            ---
            """;

        var result = Ser2netImporter.Convert(yaml, "ser2net.yaml");

        var ports = Ports(result);
        Assert.Equal(4, result.PortCount);
        Assert.Equal(["a", "b", "c", "ttyUSB4"], ports.Keys.Order());
        Assert.Equal([3001, 3002, 3003, 3004], ports.Values.Select(p => p.Listeners[0].Port).Order());
        Assert.Contains("ser2net.yaml:15: connection: accepter tcp,3004", result.Hocon, StringComparison.Ordinal);
    }

    [Fact]
    public void AnchorsAndAliasesForScalarsAndMappingsAcrossDocuments()
    {
        const string yaml = """
            define: &banner "\\o on \\d"
            define: &shared
              kickolduser: true
              banner: *banner
            ---
            connection: &one
              accepter: tcp,2010
              connector: serialdev,/dev/ttyS10,9600
              options: *shared
            connection: &two
              accepter: tcp,2011
              connector: serialdev,/dev/ttyS11,9600
              options: *shared
            """;

        var ports = Ports(Ser2netImporter.Convert(yaml, "ser2net.yaml"));

        Assert.Equal("one on /dev/ttyS10", ports["one"].Banner);
        Assert.Equal("two on /dev/ttyS11", ports["two"].Banner);
        Assert.True(ports["one"].KickOld && ports["two"].KickOld);
    }

    [Fact]
    public void AnAliasToAnUndefinedAnchorIsAnErrorAtTheAlias()
    {
        var e = Broken("connection: &c\n  accepter: tcp,2000\n  connector: serialdev,/dev/ttyS0\n  options:\n    banner: *nope\n");

        Assert.Equal((5, 13), (e.Line, e.Column));
        Assert.Contains("'*nope'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenFileImportsNothingAndNamesFileLineAndColumn()
    {
        const string yaml = """
            connection: &good
              accepter: tcp,2000
              connector: serialdev,/dev/ttyS0
            connection: &bad
              accepter: tcp,2001
              connector: serialdev: /dev/ttyS1
            """;

        var e = Broken(yaml);

        Assert.Equal((6, 23), (e.Line, e.Column));
        Assert.StartsWith("ser2net.yaml:6:23: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCommandPrintsNoHoconForABrokenFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ser2net-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "connection: &good\n  accepter: tcp,2000\n  connector: serialdev,/dev/ttyS0\nconnection: &bad\n  accepter: \"tcp,2001\n");
        try
        {
            var run = ConcentratorCli.Run(["import-ser2net", file], TimeSpan.FromSeconds(30));

            Assert.Equal(1, run.ExitCode);
            Assert.Equal("", run.Stdout);
            Assert.Contains($"{Path.GetFileName(file)}:5:13: ", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("quoted scalar", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ATopLevelListIsNotASer2netConfig()
    {
        var e = Broken("- connection: x\n");

        Assert.Equal((1, 1), (e.Line, e.Column));
        Assert.Contains("top level", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("connection: {b\n%\n", 2, 1)] // YamlDotNet 18.1.0 throws InvalidOperationException
    [InlineData("connection: &c\n  !![\n", 2, 3)] // and ArgumentException (both found by the property below)
    public void InputThatTripsUpYamlDotNetItselfIsStillABrokenFileWithAPosition(string yaml, int line, int column)
    {
        var e = Broken(yaml);

        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains("not valid YAML", e.Message, StringComparison.Ordinal);
    }

    private static readonly Gen<string> Text =
        Gen.Char["abc \t\\\"'#:,&*![]{}|>-%@`?\n"].Array[0, 40].Select(chars => new string(chars));

    [Fact]
    public void AnyTextSurvivesDoubleQuotingWithYamlEscapes()
    {
        Text.Sample(text =>
        {
            var quoted = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            var entry = Assert.Single(Ser2netYamlReader.ReadTopLevel($"key: \"{quoted}\"\n", "x.yaml"));
            Assert.Equal(text, entry.Value.Scalar);
        });
    }

    [Fact]
    public void AnyOneLineTextSurvivesSingleQuoting()
    {
        Text.Where(t => !t.Contains('\n', StringComparison.Ordinal)).Sample(text =>
        {
            var entry = Assert.Single(Ser2netYamlReader.ReadTopLevel($"key: '{text.Replace("'", "''", StringComparison.Ordinal)}'\n", "x.yaml"));
            Assert.Equal(text, entry.Value.Scalar);
        });
    }

    [Fact]
    public void EveryConnectionIsImportedWhateverMixOfRepeatedKeysAndDocuments()
    {
        Gen.Bool.Array[1, 12].Sample(newDocument =>
        {
            var yaml = new StringBuilder();
            for (var i = 0; i < newDocument.Length; i++)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"{(newDocument[i] ? "---\n" : "")}connection: &c{i}\n  accepter: tcp,{5000 + i}\n  connector: serialdev,/dev/ttyS{i},9600\n");
            }

            var ports = Ports(Ser2netImporter.Convert(yaml.ToString(), "ser2net.yaml"));

            Assert.Equal(Enumerable.Range(5000, newDocument.Length), ports.Values.Select(p => p.Listeners[0].Port).Order());
        });
    }

    [Fact]
    public void AnyTextEitherImportsOrIsABrokenFileWithAPosition()
    {
        Gen.Char["ab: \t\n-#&*!|>'\"[]{},?%@`~.\\"].Array[0, 80].Select(chars => "connection: &c\n  " + new string(chars)).Sample(yaml =>
        {
            try
            {
                _ = Ser2netImporter.Convert(yaml, "x.yaml");
            }
            catch (Ser2netFormatException e)
            {
                Assert.True(e.Line >= 1 && e.Column >= 1, e.Message);
                Assert.StartsWith($"x.yaml:{e.Line}:{e.Column}: ", e.Message, StringComparison.Ordinal);
            }
        });
    }
}
