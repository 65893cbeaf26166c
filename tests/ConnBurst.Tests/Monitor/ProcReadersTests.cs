using ConnBurst.Monitor;
using ConnBurst.Monitor.Proc;
using ConnBurst.Tests.Infrastructure;

namespace ConnBurst.Tests.Monitor;

/// <summary>The /proc parsers over pasted samples of each file (written to temp files), and over the live /proc.</summary>
public sealed class ProcReadersTests
{
    [Fact]
    public void CpuStatTurnsTickDeltasIntoPercentagesPerCore()
    {
        using var dir = new TempDir();
        var path = dir.Combine("stat");
        File.WriteAllText(path, "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\nintr 1 2 3\n");
        using var reader = new CpuStatReader(path);
        Assert.Equal(2, reader.Cores);
        Assert.False(reader.Sample()); // primes
        // core 0: +60 user +10 nice +20 system +0 idle +10 iowait -> busy 90% (iowait is not busy); core 1: all idle.
        File.WriteAllText(path, "cpu  170 10 120 900 10 0 0 0 0 0\ncpu0 110 10 70 400 10 0 0 0 0 0\ncpu1 50 0 50 500 0 0 0 0 0 0\n");
        Assert.True(reader.Sample());
        double P(int row, CpuField f) => reader.Percent[row * CpuStatReader.FieldCount + (int)f];
        Assert.Equal(70, P(1, CpuField.User), 6);
        Assert.Equal(20, P(1, CpuField.System), 6);
        Assert.Equal(10, P(1, CpuField.IoWait), 6);
        Assert.Equal(90, P(1, CpuField.Busy), 6);
        Assert.Equal(100, P(2, CpuField.Idle), 6);
        Assert.Equal(0, P(2, CpuField.Busy), 6);
        Assert.Equal(100.0 * 100 / 210, P(0, CpuField.Busy), 6); // total: 210 ticks, 100 idle, 10 iowait
    }

    [Fact]
    public void MemInfoReportsUsedAsTotalMinusAvailable()
    {
        using var dir = new TempDir();
        var path = dir.Combine("meminfo");
        File.WriteAllText(path,
            "MemTotal:       24684092 kB\nMemFree:        20275536 kB\nMemAvailable:   23416640 kB\nBuffers:            7320 kB\nCached: " +
            "         3540848 kB\nSwapTotal:       1048576 kB\nSwapFree:         524288 kB\n");
        using var reader = new MemInfoReader(path);
        Assert.True(reader.Sample());
        Assert.Equal(24684092 / 1024.0, reader.TotalMiB, 6);
        Assert.Equal((24684092 - 23416640) / 1024.0, reader.UsedMiB, 6);
        Assert.Equal((7320 + 3540848) / 1024.0, reader.CachedMiB, 6);
        Assert.Equal(512, reader.SwapUsedMiB, 6);
    }

    [Fact]
    public void NetDevGivesPerSecondRatesPerInterface()
    {
        using var dir = new TempDir();
        var path = dir.Combine("dev");
        const string header =
            "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame " +
            "compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";
        File.WriteAllText(path,
            header + "    lo:   34113      66    0    0    0     0          0         0    34113      66    0    0    0     0       0    " +
            "      0\n  eth0: 1000    10    0    0    0     0          0         0   2000    20    0    0    0     0       0          0\n");
        using var reader = new NetDevReader(path);
        Assert.Equal(["lo", "eth0"], reader.Interfaces);
        Assert.False(reader.Sample());
        File.WriteAllText(path,
            header + "    lo:   34113      66    0    0    0     0          0         0    34113      66    0    0    0     0       0    " +
            "      0\n  eth0: 3000    30    0    4    0     0          0         0   6000    60    0    1    0     0       0          0\n");
        Assert.True(reader.Sample());
        Assert.Equal(1000, reader.Rate(1, NetDevReader.RxBytes, 2));
        Assert.Equal(10, reader.Rate(1, NetDevReader.RxPackets, 2));
        Assert.Equal(2000, reader.Rate(1, NetDevReader.TxBytes, 2));
        Assert.Equal(20, reader.Rate(1, NetDevReader.TxPackets, 2));
        Assert.Equal(2.5, reader.Rate(1, NetDevReader.Drops, 2));
        Assert.Equal(0, reader.Rate(0, NetDevReader.RxBytes, 2));
    }

    [Fact]
    public void DiskStatsFollowsWholeDisksAndSkipsLoopDevices()
    {
        using var dir = new TempDir();
        var path = dir.Combine("diskstats");
        var sys = dir.Combine("block");
        Directory.CreateDirectory(Path.Combine(sys, "vda"));
        Directory.CreateDirectory(Path.Combine(sys, "loop0"));
        File.WriteAllText(path,
            " 254       0 vda 100 0 1000 0 50 0 2000 0 0 100 0 0 0 0 0 0 0\n 254       1 vda1 100 0 1000 0 50 0 2000 0 0 100 0 0 0 0 0 0 " +
            "0\n   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
        using var reader = new DiskStatsReader(path, sys);
        Assert.Equal(["vda"], reader.Disks);
        Assert.False(reader.Sample());
        File.WriteAllText(path, " 254       0 vda 110 0 1400 0 70 0 2800 0 0 600 0 0 0 0 0 0 0\n");
        Assert.True(reader.Sample());
        Assert.Equal(10, reader.ReadsPerSecond(0, 1));
        Assert.Equal(400 * 512, reader.ReadBytesPerSecond(0, 1));
        Assert.Equal(20, reader.WritesPerSecond(0, 1));
        Assert.Equal(800 * 512, reader.WriteBytesPerSecond(0, 1));
        Assert.Equal(50, reader.BusyPercent(0, 1));
    }

    [Fact]
    public void LoadAvgReadsTheThreeAveragesAndRunnableTasks()
    {
        using var dir = new TempDir();
        var path = dir.Combine("loadavg");
        File.WriteAllText(path, "8.66 2.97 1.15 14/330 7949\n");
        using var reader = new LoadAvgReader(path);
        Assert.True(reader.Sample());
        Assert.Equal(8.66, reader.Load1);
        Assert.Equal(2.97, reader.Load5);
        Assert.Equal(1.15, reader.Load15);
        Assert.Equal(14, reader.Runnable);
    }

    [Fact]
    public void TcpSocketsOnAPortAreCountedByStateWithQueueSumsAndMaxima()
    {
        using var dir = new TempDir();
        var v4 = dir.Combine("tcp");
        var v6 = dir.Combine("tcp6");
        // Port 8080 = 0x1F90. A listener with 3 waiting in its accept queue, two server sockets with Recv-Q
        // 0x100 and 0x20, one with Send-Q 0x10, a TIME_WAIT, a client socket of this machine (remote port 8080),
        // and an unrelated socket on port 22.
        File.WriteAllText(v4, """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000080:00000003 00:00000000 00000000     0        0 1079 1 0000000000000000 100 0 0 10 0
               1: 0100007F:1F90 0100007F:A2B4 01 00000000:00000100 00:00000000 00000000     0        0 2214 1 0000000000000000 20 4 30 10 -1
               2: 0100007F:1F90 0100007F:A2B6 01 00000010:00000020 00:00000000 00000000     0        0 2215 1 0000000000000000 20 4 30 10 -1
               3: 0100007F:1F90 0100007F:A2B8 06 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
               4: 0100007F:A2B4 0100007F:1F90 01 00000040:00000000 00:00000000 00000000     0        0 2216 1 0000000000000000 20 4 30 10 -1
               5: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1080 1 0000000000000000 100 0 0 10 0
            """);
        File.WriteAllText(v6, """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:B000 01 00000000:00000005 00:00000000 00000000     0        0 3001 1 0000000000000000 20 4 30 10 -1
            """);
        using var reader = new TcpSocketReader(8080, v4, v6, useNetlink: false);
        Assert.True(reader.Sample());
        Assert.Equal(1, reader.States[(int)TcpState.Listen]);
        Assert.Equal(3, reader.States[(int)TcpState.Established]);
        Assert.Equal(1, reader.States[(int)TcpState.TimeWait]);
        Assert.Equal(3, reader.AcceptQueue);
        Assert.Equal(0x100 + 0x20 + 5, reader.RecvQSum);
        Assert.Equal(0x100, reader.RecvQMax);
        Assert.Equal(0x10, reader.SendQSum);
        Assert.Equal(0x10, reader.SendQMax);
        Assert.Equal(1, reader.PeerSockets);
        Assert.Equal(0x40, reader.PeerSendQSum);
    }

    [Fact]
    public void ProcessStatParsingSurvivesSpacesAndParenthesesInTheName()
    {
        var line =
            "7954 (my (odd) name) R 7943 7943 4456 0 -1 4194304 98 0 0 0 250 50 0 0 20 0 7 0 60371 3133440 379 18446744073709551615 0 0"u8;
        Assert.True(ProcessReader.ParseStat(line, out var comm, out var ticks, out var threads, out var rss));
        Assert.Equal("my (odd) name", System.Text.Encoding.UTF8.GetString(comm));
        Assert.Equal(300, ticks);
        Assert.Equal(7, threads);
        Assert.Equal(379, rss);
    }

    [Fact]
    public async Task ASteadyStateSampleAllocatesNothing()
    {
        using var busy = await BusyProcess.StartAsync(spin: false, sleepers: 20);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var sampler = new SystemSampler(ProcessTarget.ByPid(busy.Pid), port, socketBudgetPercent: 0);
        for (var i = 0; i < 5; i++) sampler.Sample(); // prime, attach, discover threads, grow buffers
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++) sampler.Sample();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(21, sampler.Values[sampler.IndexOf("process.threads")]);
        Assert.Equal(1, sampler.Values[sampler.IndexOf("sockets.listen")]);
    }

    [Fact]
    public void ASocketDumpOverItsCpuBudgetIsTakenEveryNthIntervalWithGapsInBetween()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        // A budget of a millionth of a core: any real dump is over it.
        using var sampler = new SystemSampler(port: port, socketBudgetPercent: 0.000001);
        var notices = new List<string>();
        sampler.Notice += notices.Add;
        var listen = sampler.IndexOf("sockets.listen");
        var seen = new List<double>();
        sampler.Sample(); // primes the counters; no interval to judge the cost against yet
        for (var i = 0; i < 6; i++)
        {
            Thread.Sleep(20);
            sampler.Sample();
            seen.Add(sampler.Values[listen]);
        }
        Assert.True(sampler.SocketSampleEvery > 1);
        Assert.Contains(notices, n => n.Contains("dumping every", StringComparison.Ordinal));
        Assert.Equal(1, seen[0]);
        Assert.All(seen.Skip(1), v => Assert.True(double.IsNaN(v)));

        // What a recording's START asks for: the next sample has sockets whatever the cadence, then the gaps resume.
        sampler.DumpSocketsAtNextSample();
        Thread.Sleep(20);
        sampler.Sample();
        Assert.Equal(1, sampler.Values[listen]);
        Thread.Sleep(20);
        sampler.Sample();
        Assert.True(double.IsNaN(sampler.Values[listen]));
    }
}
