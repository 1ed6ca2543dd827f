package netcheck

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
)

// BenchmarkRelaysSteady is the relay scan of a watching Checker's poll while
// nothing changes: FlowMeter runs, a socat on loopback relays to it (looked
// at on every poll, never reported), under the load of the figures.
func BenchmarkRelaysSteady(b *testing.B) {
	needUvicorn(b)
	socat, err := exec.LookPath("socat")
	if err != nil {
		b.Skip("socat is not installed")
	}
	for _, ld := range loads {
		b.Run(fmt.Sprintf("procs=%d", ld.procs), func(b *testing.B) {
			startLoad(b, ld.procs, ld.files)
			_, port := benchFlowMeter(b)
			rp := freePort(b)
			s := start(b, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", port))
			s.waitListening(b, rp, lo4)
			var sc Scanner
			var r relayScanner
			ctx := context.Background()
			socks, err := sc.Scan(ctx)
			if err != nil {
				b.Fatal(err)
			}
			r.find(ctx, socks, sc.Sockets(), sc.reader(), ownAddrs(), sc.commandLines(), nil)
			b.ResetTimer()
			for b.Loop() {
				if got := r.find(ctx, socks, sc.Sockets(), sc.reader(), ownAddrs(), sc.commandLines(), nil); len(got) != 0 {
					b.Fatalf("a relay on loopback reported: %+v", got)
				}
			}
		})
	}
}
