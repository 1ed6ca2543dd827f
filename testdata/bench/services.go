package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// startServices starts n listeners on 0.0.0.0 that are not FlowMeter (issue
// 18's load): a third answer HTTP with 404, a third are silent (accept and
// say nothing), a third greet as SSH does. Localguard asks each of them
// once per socket; none may count as FlowMeter.
func (h *harness) startServices(n int) error {
	kinds := map[string]int{}
	for i := range n {
		ln, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			return fmt.Errorf("listener %d: %v", i+1, err)
		}
		h.onCleanup(func() { ln.Close() })
		switch i % 3 {
		case 0:
			srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 5 * time.Second}
			go srv.Serve(ln)
			kinds["HTTP 404"]++
		case 1:
			go serveConns(ln, nil)
			kinds["silent"]++
		default:
			go serveConns(ln, []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
			kinds["greeting"]++
		}
	}
	h.report("services: %d listeners on 0.0.0.0 that are not FlowMeter (%d HTTP 404, %d silent, %d greeting)", n, kinds["HTTP 404"], kinds["silent"], kinds["greeting"])
	return nil
}

// serveConns accepts connections, writes greeting on each, and reads
// whatever comes until the peer closes.
func serveConns(ln net.Listener, greeting []byte) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			if greeting != nil {
				c.Write(greeting)
			}
			io.Copy(io.Discard, c)
		}()
	}
}
