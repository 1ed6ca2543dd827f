package netcheck

import (
	"net"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// runOut runs a command and returns its standard output.
func runOut(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).Output()
}

func sleepShort() { time.Sleep(25 * time.Millisecond) }

// countingListener is a TCP service of the test's own that counts the
// connections it accepts and the bytes it receives; greeting, when set,
// is written on every accepted connection first (as SSH does).
type countingListener struct {
	ln       net.Listener
	greeting string
	conns    atomic.Int64
	bytes    atomic.Int64
	wg       sync.WaitGroup
}

// listenCounting listens on addr ("0.0.0.0:9100") until the test ends.
func listenCounting(t *testing.T, addr, greeting string) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &countingListener{ln: ln, greeting: greeting}
	c.wg.Go(c.serve)
	t.Cleanup(func() { ln.Close(); c.wg.Wait() })
	return c
}

func (c *countingListener) port() int { return c.ln.Addr().(*net.TCPAddr).Port }

func (c *countingListener) serve() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.conns.Add(1)
		c.wg.Go(func() {
			defer conn.Close()
			if c.greeting != "" {
				conn.Write([]byte(c.greeting))
			}
			buf := make([]byte, 4096)
			conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			for {
				n, err := conn.Read(buf)
				c.bytes.Add(int64(n))
				if err != nil {
					return
				}
			}
		})
	}
}
