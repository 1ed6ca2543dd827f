// Package listener is the listening sockets of tests: a port free to
// listen on (FreePort), and on Linux a socket the test holds itself, with
// what the kernel knows of it (inode, dual-stack: Hold), for the tests that
// compare what Localguard reads of the machine's sockets (sock_diag,
// /proc/net, gopsutil, a connect) with what is really there.
package listener

import (
	"net"
	"testing"
)

// FreePort is a TCP port nothing listens on at 127.0.0.1 now, for a
// program the test starts to listen on.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
