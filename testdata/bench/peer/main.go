// Command peer is the bench's third peer: one whole process that lists the
// machine's TCP connections with gopsutil, as a plain scan would, and prints
// how many it found. The bench builds it only when gopsutil v4 is in go.mod.
package main

import (
	"fmt"
	"os"

	"github.com/shirou/gopsutil/v4/net"
)

func main() {
	conns, err := net.Connections("tcp")
	if err != nil {
		fmt.Fprintln(os.Stderr, "peer:", err)
		os.Exit(1)
	}
	fmt.Println(len(conns))
}
