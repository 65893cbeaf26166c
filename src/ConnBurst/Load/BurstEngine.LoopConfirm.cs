using System.Diagnostics;
using ConnBurst.Recording;
using ConnBurst.Tls.OpenSsl;

namespace ConnBurst.Load;

/// <summary>
/// TLS only over TLS 1.3 on the event loop: our handshake ends with our own Finished, before the server has judged our
/// certificate, so a finished handshake is not yet a connect. What the server sends next says: a session ticket or data
/// (it accepted us), an alert or a close (it refused us, counted with its reason). A server that sends nothing within
/// the connect timeout leaves the connect unconfirmed: held, counted as <c>tlsUnconfirmed</c>, never as a success
/// (docs/DECISIONS.md, "Load: TLS 1.3 handshakes confirmed by the server").
/// </summary>
internal sealed partial class BurstEngine
{
    private sealed partial class EventLoop
    {
        private void Confirm(ClientSlot slot)
        {
            var session = slot.Session!;
            var n = session.Read(_scratch, out var want, out var failure); // data is not ours to read with TLS only: dropped
            if (failure is not null)
            {
                Fail(slot, FailureKind.Tls, TlsFailureReasons.Classify(failure));
                return;
            }
            if (n > 0 || (want != TlsWant.None && session.TicketReceived))
            {
                Connected(slot, slot.TlsDone); // timed to the handshake's end, as every TLS-only connect is
                return;
            }
            // A close_notify before any ticket or data: the server ended the connection it had just accepted.
            if (want == TlsWant.None) Fail(slot, FailureKind.Tls, TlsFailureReasons.ClosedAfterHandshake);
        }

        /// <summary>The connect timeout passed with nothing from the server since the handshake: held, but not a success.</summary>
        private void Unconfirmed(ClientSlot slot)
        {
            slot.Set(ClientState.Connected);
            _e.Counters.TlsUnconfirmed();
            _e._stages?.Unconfirmed(slot.Stage);
            Hold(slot, Stopwatch.GetTimestamp());
        }
    }
}
