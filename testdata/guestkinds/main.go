// Command guestkinds plays two parts in TestDockerBridge (netcheck): with
// the argument "sleep" it is a container's only process (in an image built
// FROM scratch, it sleeps until stopped); without, it prints the kind
// Localguard gives each interface address of its network namespace, as
// JSON lines {"interface", "address", "kind"}, so that the host's
// namespace, where Docker's bridges are, can be judged from a test that
// runs in a namespace of its own (through nsenter).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"localguard/netcheck"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sleep" {
		for {
			time.Sleep(time.Hour)
		}
	}
	ifs, err := netcheck.Interfaces()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, it := range ifs {
		for _, a := range it.Addrs {
			enc.Encode(map[string]string{"interface": it.Name, "address": a.Prefix.String(), "kind": string(a.Kind)})
		}
	}
}
