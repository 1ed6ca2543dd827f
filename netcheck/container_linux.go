package netcheck

import (
	"fmt"
	"os"
	"strings"
)

// containerOf names the container a process runs in, from its cgroup
// (Docker's, Podman's, containerd's): "Docker container 0123456789ab", or
// "" when it runs in none (or it cannot be read).
func containerOf(pid int32) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		for _, rt := range []struct{ mark, name string }{{"docker", "Docker"}, {"libpod", "Podman"}, {"containerd", "containerd"}, {"cri-containerd", "containerd"}} {
			i := strings.Index(line, rt.mark)
			if i < 0 {
				continue
			}
			id := strings.TrimLeft(line[i+len(rt.mark):], "-/")
			id = strings.TrimSuffix(id, ".scope")
			if len(id) >= 12 && isHex(id[:12]) {
				return rt.name + " container " + id[:12]
			}
		}
	}
	return ""
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}
