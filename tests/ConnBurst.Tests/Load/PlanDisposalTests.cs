using ConnBurst.Common;
using ConnBurst.Load;
using ConnBurst.Runs;
using ConnBurst.Tests.Infrastructure;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Tests.Load;

/// <summary>
/// A process that runs burst after burst (peak's steps, the demo) frees each one's TLS client context, cached sessions
/// and identities when it ends, so native memory does not grow with the number of steps.
/// </summary>
public sealed class PlanDisposalTests
{
    [Fact]
    public async Task EveryPeakStepFreesItsNativeClientContext()
    {
        using var broker = new MosquittoBroker();
        using var dir = new TempDir();
        var template = new BurstOptions
        {
            Target = HostPort.Parse(broker.Target, "--target"), PkiDir = TestPki.Dir, TlsEngine = ConnBurst.Tls.TlsEngine.OpenSsl,
            Tls = ConnBurst.Tls.TlsOptions.Create("1.3", allowResume: true), ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        var runner = new BurstStepRunner(template, null, new StepRunnerSettings
        {
            StepDuration = TimeSpan.FromSeconds(1), Pause = TimeSpan.Zero, StepsDir = dir.Path,
        });
        var before = OpenSslClientContext.Live;
        for (int step = 0; step < 3; step++)
        {
            var result = await runner.RunStepAsync(20, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(result.Connected > 0, $"step {step}: nothing connected ({result.Note})");
        }
        Assert.Equal(before, OpenSslClientContext.Live);
    }

    [Fact]
    public void ADisposedPlanOpensNoMoreSessions()
    {
        using var broker = new MosquittoBroker();
        var plan = BurstPlan.Prepare(new BurstOptions
        {
            Target = HostPort.Parse(broker.Target, "--target"), PkiDir = TestPki.Dir, TlsEngine = ConnBurst.Tls.TlsEngine.OpenSsl,
        });
        var live = OpenSslClientContext.Live;
        plan.Dispose();
        Assert.Equal(live - 1, OpenSslClientContext.Live);
        Assert.Throws<ObjectDisposedException>(() => plan.FactoryOf(0).OpenSession(-1));
    }
}
