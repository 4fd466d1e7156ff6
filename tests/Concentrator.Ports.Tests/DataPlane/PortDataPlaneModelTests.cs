using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Concentrator.Devices;
using Concentrator.Ports.DataPlane;
using Concentrator.Testing;
using Xunit.Abstractions;

namespace Concentrator.Ports.Tests.DataPlane;

/// <summary>
/// The data plane alone, against its invariants (PortDataPlane.cs), over thousands of seeded random schedules: writers
/// writing, reserving slots the port fills or cancels late, permits moving, the device unplugged and replugged (and
/// failing under a write) mid-stream, the hold's grace ending, port commands, a device that often takes only part of a
/// write. The test steps the plane's worker itself, so a schedule is one exact interleaving and a seed replays it.
/// CONCENTRATOR_DATAPLANE_SCHEDULES runs more (a soak); CONCENTRATOR_DATAPLANE_SEED replays one.
/// </summary>
public sealed class PortDataPlaneModelTests(ITestOutputHelper output)
{
    private const int Writers = 3;

    [Fact]
    public void Random_schedules_keep_order_exactly_once_revocation_and_command_placement()
    {
        SeededSchedules.Run("CONCENTRATOR_DATAPLANE", 10_000, output.WriteLine, seed => new Schedule(seed).Run());
    }

    /// <summary>One writer's side: what it handed the plane, and how each write ended.</summary>
    private sealed class Writer(int id)
    {
        public int Id { get; } = id;

        public List<HandedWrite> Handed { get; } = [];

        public Queue<HandedWrite> AwaitingCompletion { get; } = new();

        public int NextByteIndex { get; set; }

        public DeviceInput Input { get; set; } = null!;

        public byte[] NextData(int length)
        {
            var data = new byte[length];
            for (var i = 0; i < length; i++)
            {
                data[i] = (byte)NextByteIndex++;
            }

            return data;
        }
    }

    private sealed class HandedWrite(byte[] data, WriteOutcome outcome)
    {
        public byte[] Data { get; } = data;

        public WriteOutcome Outcome { get; } = outcome;

        public WriteResult? Result { get; set; }

        public bool MustArriveWhole => Outcome == WriteOutcome.Written || Result == WriteResult.Written;

        public bool MayArriveInPart => Outcome == WriteOutcome.Queued && Result != WriteResult.Written;
    }

    private sealed record ReservedSlot(int Writer, DeviceSlot Slot, int WritesBefore, string Tag);

    private sealed class Schedule
    {
        private readonly int _seed;
        private readonly Random _random;
        private readonly List<DeviceEvent> _log = [];
        private readonly PortDataPlane _plane;
        private readonly Writer[] _writers;
        private readonly List<ReservedSlot> _pending = [];
        private readonly Dictionary<string, ReservedSlot> _filled = [];
        private readonly Dictionary<string, int> _commandAnswers = [];
        private readonly HashSet<int> _permitted = [];
        private RecordingDevice? _device;
        private (int Writer, byte[] Data)? _handing;
        private int _devices;
        private int _tags;

        public Schedule(int seed)
        {
            _seed = seed;
            _random = new Random(seed);
            _plane = new PortDataPlane(holdLimit: _random.Next(0, 300), ownWorker: false);
            _writers = [.. Enumerable.Range(0, Writers).Select(i => new Writer(i))];
            foreach (var writer in _writers)
            {
                writer.Input = _plane.Input(writer.Id, (bytes, result) => Completed(writer, bytes, result));
            }
        }

        public void Run()
        {
            if (_random.Next(2) == 0)
            {
                GoOnline(); // else writers join while the device is still opening
            }

            var steps = _random.Next(20, 250);
            for (var step = 0; step < steps; step++)
            {
                var r = _random.Next(100);
                if (r < 30)
                {
                    Write();
                }
                else if (r < 38)
                {
                    Reserve();
                }
                else if (r < 46)
                {
                    DecideSlot();
                }
                else if (r < 50)
                {
                    MovePermits();
                }
                else if (r < 53)
                {
                    ToggleDevice();
                }
                else if (r < 55)
                {
                    _plane.EndHold();
                }
                else if (r < 57)
                {
                    PortCommand();
                }
                else
                {
                    _plane.RunWorkerStep();
                }
            }

            Finish();
            Check();
        }

        private void Write()
        {
            var writer = _writers[_random.Next(Writers)];
            var data = writer.NextData(_random.Next(1, 41));
            _handing = (writer.Id, data);
            var outcome = writer.Input.Write(data);
            _handing = null;
            var handed = new HandedWrite(data, outcome);
            writer.Handed.Add(handed);
            if (outcome == WriteOutcome.Queued)
            {
                writer.AwaitingCompletion.Enqueue(handed);
            }

            Assert.True(outcome != WriteOutcome.NotPermitted || !_permitted.Contains(writer.Id), "a permitted writer was refused");
            Assert.True(outcome == WriteOutcome.NotPermitted || _permitted.Contains(writer.Id), "a writer without a permit was taken");
        }

        private void Reserve()
        {
            var writer = _writers[_random.Next(Writers)];
            var tag = $"w{writer.Id}#{_tags++}";
            _pending.Add(new ReservedSlot(writer.Id, writer.Input.Reserve(), writer.Handed.Count, tag));
        }

        private void DecideSlot()
        {
            if (_pending.Count == 0)
            {
                return;
            }

            var slot = _pending[_random.Next(_pending.Count)];
            _pending.Remove(slot);
            Decide(slot, fill: _random.Next(10) < 7);
        }

        private void Decide(ReservedSlot slot, bool fill)
        {
            if (!fill)
            {
                slot.Slot.Cancel();
                return;
            }

            _filled[slot.Tag] = slot;
            slot.Slot.Fill(Command(slot.Tag));
        }

        private DeviceCommand Command(string tag) =>
            new(tag, d => ((RecordingDevice)d).Command(tag), (_, _) => _commandAnswers[tag] = _commandAnswers.GetValueOrDefault(tag) + 1);

        private void PortCommand()
        {
            var tag = $"port#{_tags++}";
            _plane.Enqueue(Command(tag));
        }

        private void MovePermits()
        {
            var permits = WritePermits.None;
            foreach (var writer in _writers)
            {
                var allowed = _random.Next(2) == 0;
                permits = permits.With(writer.Id, allowed);
                if (allowed != _permitted.Contains(writer.Id))
                {
                    _log.Add(allowed ? new PermittedEvent(writer.Id) : new RevokedEvent(writer.Id));
                }
            }

            _plane.SetPermits(permits); // the log marks the change first: nothing of a revoked writer may follow
            _permitted.Clear();
            _permitted.UnionWith(_writers.Where(w => permits.Allows(w.Id)).Select(w => w.Id));
        }

        private void ToggleDevice()
        {
            if (_device is null)
            {
                GoOnline();
                return;
            }

            var device = _device;
            _device = null;
            if (_random.Next(2) == 0)
            {
                device.Close(); // it failed under the plane first (an unplug seen by a write) ...
                _plane.RunWorkerStep();
            }

            _plane.Offline(device); // ... then the link takes it away, as it does before closing it
            device.Close();
        }

        private void GoOnline()
        {
            _device = new RecordingDevice(_log, _random, $"dev{_devices++}", Whose);
            var first = _random.Next(3) == 0 ? [Command($"port#{_tags++}")] : Array.Empty<DeviceCommand>();
            _plane.Online(_device, LineSettings.Default, _ => { }, first);
        }

        /// <summary>The handed write whose array <paramref name="span"/> points into.</summary>
        private (int Writer, int Write, int Offset) Whose(ReadOnlySpan<byte> span)
        {
            foreach (var writer in _writers)
            {
                for (var w = 0; w < writer.Handed.Count; w++)
                {
                    var data = writer.Handed[w].Data;
                    var offset = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(data), ref MemoryMarshal.GetReference(span));
                    if (offset >= 0 && offset < data.Length)
                    {
                        return (writer.Id, w, (int)offset);
                    }
                }
            }

            // A write being handed right now (the plane tries it at once, before Handed lists it).
            Assert.NotNull(_handing);
            var now = (long)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(_handing.Value.Data), ref MemoryMarshal.GetReference(span));
            Assert.InRange(now, 0, _handing.Value.Data.Length - 1);
            return (_handing.Value.Writer, _writers[_handing.Value.Writer].Handed.Count, (int)now);
        }

        private void Finish()
        {
            if (_device is null)
            {
                GoOnline();
            }

            foreach (var slot in _pending)
            {
                Decide(slot, fill: true);
            }

            _pending.Clear();
            for (var i = 0; _plane.RunWorkerStep(); i++)
            {
                Assert.True(i < 100_000, "the worker never ran dry");
            }
        }

        private void Completed(Writer writer, int bytes, WriteResult result)
        {
            Assert.True(writer.AwaitingCompletion.TryDequeue(out var handed), $"writer {writer.Id}: a completion nobody waited for");
            handed.Result = result;
            Assert.True(result != WriteResult.Written || bytes == handed.Data.Length, "a completed write reported other bytes");
        }

        private void Check()
        {
            foreach (var writer in _writers)
            {
                Assert.True(writer.AwaitingCompletion.Count == 0 || !_permitted.Contains(writer.Id),
                    $"writer {writer.Id}: {writer.AwaitingCompletion.Count} queued write(s) never completed");
                CheckWriter(writer);
            }

            foreach (var (tag, answers) in _commandAnswers)
            {
                Assert.True(answers == 1, $"command {tag} answered {answers} times");
            }

            Assert.True(_log.OfType<CommandEvent>().GroupBy(c => c.Tag).All(g => g.Count() == 1), "a command ran twice");
        }

        private string Describe(Writer writer) =>
            "handed: " + string.Join(" | ", writer.Handed.Select((h, i) => $"{i} {h.Outcome}/{h.Result} {h.Data.Length}")) +
            " device: " + string.Join(",", _log.Select(e => e switch
            {
                ByteEvent b when b.Writer == writer.Id => $"{b.Write}.{b.Index}",
                ByteEvent => "",
                var other => other.ToString(),
            }).Where(t => t.Length > 0));

        /// <summary>Invariants 1-3 for one writer, read off the device log.</summary>
        private void CheckWriter(Writer writer)
        {
            // Where each of the writer's device bytes sits in the log, and whether it was permitted then (invariant 2).
            var positions = new List<int>();
            var bytes = new List<ByteEvent>();
            var permitted = false;
            for (var i = 0; i < _log.Count; i++)
            {
                switch (_log[i])
                {
                    case PermittedEvent grant when grant.Writer == writer.Id:
                        permitted = true;
                        break;
                    case RevokedEvent r when r.Writer == writer.Id:
                        permitted = false;
                        break;
                    case ByteEvent b when b.Writer == writer.Id:
                        Assert.True(permitted, $"writer {writer.Id}: a byte reached the device after its permit was revoked (log {i})");
                        positions.Add(i);
                        bytes.Add(b);
                        break;
                }
            }

            // Invariant 1: the bytes are the writer's writes, in order, each byte once: whole where it said so, else a prefix.
            var p = 0;
            for (var w = 0; w < writer.Handed.Count; w++)
            {
                var handed = writer.Handed[w];
                var matched = 0;
                while (p < bytes.Count && bytes[p].Write == w)
                {
                    Assert.True(bytes[p].Index == matched, $"writer {writer.Id}: write {w} byte {bytes[p].Index} arrived where byte {matched} was due; " + Describe(writer));
                    matched++;
                    p++;
                }

                if (handed.MustArriveWhole)
                {
                    Assert.True(matched == handed.Data.Length, $"writer {writer.Id}: write {w} ({handed.Outcome}/{handed.Result}) arrived {matched} of {handed.Data.Length} bytes; " + Describe(writer));
                }
                else if (!handed.MayArriveInPart)
                {
                    Assert.True(matched == 0, $"writer {writer.Id}: write {w} ({handed.Outcome}) reached the device; " + Describe(writer));
                }
            }

            Assert.True(p == bytes.Count, $"writer {writer.Id}: device byte {p} is out of order; " + Describe(writer));
            var owner = bytes.Select(b => b.Write).ToArray();

            // Invariant 3: each of its commands sits between its bytes written before and after the reservation.
            foreach (var (tag, slot) in _filled.Where(f => f.Value.Writer == writer.Id))
            {
                var at = _log.FindIndex(e => e is CommandEvent c && c.Tag == tag);
                if (at < 0)
                {
                    continue; // filled while the device was away: answered with an error, never run
                }

                for (var i = 0; i < positions.Count; i++)
                {
                    var before = owner[i] < slot.WritesBefore;
                    Assert.True(before == positions[i] < at, $"writer {writer.Id}: command {tag} is not between the bytes written before and after it");
                }
            }
        }
    }
}
