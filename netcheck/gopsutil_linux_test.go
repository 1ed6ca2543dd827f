package netcheck

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"localguard/netcheck/system"
)

// TestGopsutilSystem runs the scan of Windows and macOS (gopsutil's
// connection list with owning pids) on this machine, next to the Linux one,
// against real FlowMeters on 0.0.0.0 (uvicorn's IPv4) and :: (a dual-stack
// reloader socket, which gopsutil does not describe): both find the same
// sockets, owners and dual-stack flags.
func TestGopsutilSystem(t *testing.T) {
	needUvicorn(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	c := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
	port6 := freePort(t)
	backend6 := checkout(t, "")
	c6 := start(t, backend6, python, childEnv(), "python3", "-m", "uvicorn", "--reload", "--host", "::", "--port", fmt.Sprint(port6), "app.main:app")
	c.waitFlowMeter(t, lo4, port)
	c6.waitFlowMeter(t, lo6, port6)

	for _, tc := range []struct {
		backend string
		port    int
		pid     int32
	}{{backend, port, c.pid()}, {backend6, port6, c6.pid()}} {
		ctx := context.Background()
		viaProc, err := (&Scanner{sys: system.New()}).Scan(ctx, Hint{BackendDir: tc.backend, Port: tc.port})
		if err != nil {
			t.Fatal(err)
		}
		viaGopsutil, err := (&Scanner{sys: system.Gopsutil()}).Scan(ctx, Hint{BackendDir: tc.backend, Port: tc.port})
		if err != nil {
			t.Fatal(err)
		}
		describe := func(found []FlowMeterSocket) []string {
			var out []string
			for _, f := range found {
				if f.Backend != resolveDir(tc.backend) {
					continue // another FlowMeter on this machine
				}
				s := fmt.Sprintf("%v:%d dual=%v confirmed=%v", f.Addr, f.Port, f.DualStack, f.Confirmed)
				if f.Owner != nil {
					s += fmt.Sprintf(" pid=%d start=%s cwd=%s env=%v", f.Owner.PID, f.Owner.Start, f.Owner.Cwd, f.Owner.Environ != nil)
				}
				out = append(out, s)
			}
			return out
		}
		p, g := describe(viaProc), describe(viaGopsutil)
		viaProc = slices.DeleteFunc(viaProc, func(f FlowMeterSocket) bool { return f.Backend != resolveDir(tc.backend) })
		if len(p) != 1 || viaProc[0].Owner == nil || viaProc[0].Owner.PID != tc.pid {
			t.Errorf("procfs found %v, want one socket owned by %d", p, tc.pid)
		}
		if !slices.Equal(p, g) {
			t.Errorf("procfs found %v\ngopsutil found %v", p, g)
		}
	}
}
