//go:build !windows

package system

import (
	"context"

	gnet "github.com/shirou/gopsutil/v4/net"
)

// listenTable reads the listening TCP sockets through gopsutil: on macOS
// from lsof (run by gopsutil; it shows only this user's sockets unless run
// as root), on Linux from /proc/net/tcp (tests only: Linux scans read
// sock_diag, see listen_linux.go).
func listenTable(ctx context.Context) ([]ownedListener, error) {
	conns, err := gnet.ConnectionsWithContext(ctx, "tcp")
	if err != nil {
		return nil, err
	}
	return fromGopsutil(conns), nil
}
