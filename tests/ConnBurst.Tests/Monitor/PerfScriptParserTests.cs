using ConnBurst.Monitor.Perf;

namespace ConnBurst.Tests.Monitor;

/// <summary>perf script's lines (pasted from real runs here) and the .NET perf map, read into counts per thread and function.</summary>
public sealed class PerfScriptParserTests
{
    [Fact]
    public void NativeKernelAndManagedLinesAreCountedPerThreadAndFunction()
    {
        string[] lines =
        [
            "  30567 ffffffff82247b01 __siphash_unaligned ([kernel.kallsyms])",
            "  30567     7f18f14ee752 ASN1_item_verify_ctx (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)",
            "  30567     7f18f14ee760 ASN1_item_verify_ctx (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)",
            "  30566     7f18f1525de4 [unknown] (/usr/lib/x86_64-linux-gnu/libcrypto.so.3)",
            "  31207     7f1882a1c0d3 instance bool [System.Private.CoreLib] System.Threading.SpinWait::SpinOnce(int32)[Optimized] " +
                "(/tmp/perf-31200.map)",
            "not a sample line",
            "",
        ];
        var counts = PerfScriptParser.Count(lines);
        Assert.Equal(3, counts.Count);
        Assert.Equal(2, counts[30567][("ASN1_item_verify_ctx", "libcrypto.so.3")]);
        Assert.Equal(1, counts[30567][("__siphash_unaligned", "[kernel.kallsyms]")]);
        Assert.Equal(1, counts[30566][("[unknown]", "libcrypto.so.3")]);
        Assert.Equal(1, counts[31207][("instance bool [System.Private.CoreLib] System.Threading.SpinWait::SpinOnce(int32)[Optimized]",
            PerfScriptParser.ManagedModule)]);
    }

    [Fact]
    public void JitCodeInTheDoubleMappedRegionIsNamedFromThePerfMapByAddress()
    {
        var map = PerfMap.Parse(
        [
            "0x7f24d0a40000 110 stub InitThreadManagerPerfMapData<JIT_CopiedWriteBarriers>",
            "7F2451B6D2C0 4E [SpinningPeer] SpinningPeer.Program::SpinInNamedMethod()[Optimized]",
            "garbage",
        ]);
        Assert.Equal(2, map.Count);
        string[] lines =
        [
            "  4242     7f2451b6d2d0 [unknown] (/memfd:doublemapper (deleted))",
            "  4242     7f2451b6d400 [unknown] (/memfd:doublemapper (deleted))",
        ];
        var counts = PerfScriptParser.Count(lines, map)[4242];
        Assert.Equal(1, counts[("[SpinningPeer] SpinningPeer.Program::SpinInNamedMethod()[Optimized]", PerfScriptParser.ManagedModule)]);
        // Past the method's end: not guessed, left as perf's own [unknown] in its file.
        Assert.Equal(1, counts[("[unknown]", "memfd:doublemapper (deleted)")]);
        Assert.Null(map.Find(0x7f24d0a40110));
        Assert.Equal("stub InitThreadManagerPerfMapData<JIT_CopiedWriteBarriers>", map.Find(0x7f24d0a4010f));
    }
}
