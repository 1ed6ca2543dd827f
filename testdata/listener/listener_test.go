package listener

import (
	"fmt"
	"net"
	"testing"
)

// TestFreePort: the port FreePort gives can be listened on at 127.0.0.1.
func TestFreePort(t *testing.T) {
	port := FreePort(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port %d: %v", port, err)
	}
	l.Close()
}
