package netcheck

import (
	"context"
	"errors"
	"net"
	"testing"
)

// TestLocalDialerRefusesForeign: the last guard before a connect refuses
// an address that is not this computer's (nothing is sent), and lets a
// loopback connect through.
func TestLocalDialerRefusesForeign(t *testing.T) {
	ctx := context.Background()
	for _, addr := range []string{"192.0.2.77:80", "[2001:db8::1]:80"} {
		c, err := localDialer.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			t.Errorf("dialled %s, want it refused", addr)
		} else if !errors.Is(err, ErrNotOwnAddress) {
			t.Errorf("dialling %s: %v, want %v", addr, err, ErrNotOwnAddress)
		}
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := localDialer.DialContext(ctx, "tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("dialling loopback: %v", err)
	}
	c.Close()
}
