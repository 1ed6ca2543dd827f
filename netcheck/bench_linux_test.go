package netcheck

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	gnet "github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"

	"localguard/netcheck/system"
)

// The benchmarks run without and with the load of the performance figures:
// 400 extra processes holding 50 open files each. Each runs next to a real
// FlowMeter-like backend when uvicorn is installed, so a full scan includes
// confirming it with GET /api/info.

var loads = []struct{ procs, files int }{{0, 0}, {400, 50}}

// startLoad starts n `sleep` processes, each given the same files open
// files as inherited descriptors.
func startLoad(b *testing.B, n, files int) {
	b.Helper()
	if n == 0 {
		return
	}
	dir := b.TempDir()
	var open []*os.File
	for i := range files {
		f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		open = append(open, f)
	}
	defer func() {
		for _, f := range open {
			f.Close()
		}
	}()
	for range n {
		cmd := exec.Command("sleep", "3600")
		cmd.ExtraFiles = open
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
}

// benchFlowMeter starts FlowMeter on 0.0.0.0 when uvicorn is installed and
// returns its backend folder and port.
func benchFlowMeter(b *testing.B) (string, int) {
	b.Helper()
	port := freePort(b)
	backend := checkout(b, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	if uvicornOnce() != nil {
		b.Log("no uvicorn: scanning without a FlowMeter running")
		return backend, port
	}
	c := start(b, backend, python, childEnv(), "python3", "-m", "app.main")
	c.waitFlowMeter(b, lo4, port)
	return backend, port
}

// BenchmarkScan is a full scan, as one `localguard check` does it: a new
// Scanner each time.
func BenchmarkScan(b *testing.B) {
	backend, port := benchFlowMeter(b)
	for _, l := range loads {
		b.Run(fmt.Sprintf("load=%dx%d", l.procs, l.files), func(b *testing.B) {
			startLoad(b, l.procs, l.files)
			for b.Loop() {
				if _, err := FindFlowMeter(context.Background(), backend, port); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScanSteady is the poll of `watch` and the window: one Scanner,
// nothing changed since its last Scan.
func BenchmarkScanSteady(b *testing.B) {
	backend, port := benchFlowMeter(b)
	for _, l := range loads {
		b.Run(fmt.Sprintf("load=%dx%d", l.procs, l.files), func(b *testing.B) {
			startLoad(b, l.procs, l.files)
			var s Scanner
			ctx := context.Background()
			if _, err := s.Scan(ctx, Hint{BackendDir: backend, Port: port}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.Scan(ctx, Hint{BackendDir: backend, Port: port}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReference measures what the scan is compared with: `ss -tlnp`
// (a whole process), gopsutil's net.Connections, and reading every
// process's command line and folder directly or through gopsutil.
func BenchmarkReference(b *testing.B) {
	for _, l := range loads {
		b.Run(fmt.Sprintf("load=%dx%d", l.procs, l.files), func(b *testing.B) {
			startLoad(b, l.procs, l.files)
			b.Run("ss-tlnp", func(b *testing.B) {
				ss, err := exec.LookPath("ss")
				if err != nil {
					b.Skip("no ss")
				}
				for b.Loop() {
					if err := exec.Command(ss, "-tlnp").Run(); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("gopsutil-connections", func(b *testing.B) {
				for b.Loop() {
					if _, err := gnet.Connections("tcp"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("procs-direct", func(b *testing.B) {
				sys := system.New()
				for b.Loop() {
					for _, pid := range sys.PIDs() {
						sys.Args(pid)
						sys.Cwd(pid)
					}
				}
			})
			b.Run("procs-gopsutil", func(b *testing.B) {
				for b.Loop() {
					ps, _ := process.Processes()
					for _, p := range ps {
						p.CmdlineSlice()
						p.Cwd()
					}
				}
			})
		})
	}
}
