package proc

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/shirou/gopsutil/v4/process"
)

// shells are the programs whose scripts start FlowMeter (start.sh).
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true, "ash": true, "fish": true, "busybox": true, "cmd": true, "powershell": true, "pwsh": true}

// waitingScript names the shell script (or shell command) that started p
// and still runs, waiting for it: "the script ./start.sh (pid 41)"; ""
// when p's parent is not a shell running a script (an interactive
// shell's prompt comes back by itself).
func waitingScript(p *process.Process) string {
	parent, err := p.Parent()
	if err != nil {
		return ""
	}
	args, err := parent.CmdlineSlice()
	if err != nil || len(args) < 2 {
		return ""
	}
	name := strings.ToLower(strings.TrimSuffix(filepath.Base(strings.TrimPrefix(args[0], "-")), ".exe"))
	if !shells[name] {
		return ""
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || strings.EqualFold(a, "/c") || strings.EqualFold(a, "-command"):
			return fmt.Sprintf("the shell command %q (pid %d)", strings.Join(args[i+1:], " "), parent.Pid)
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "c") && len(a) < 6:
			return fmt.Sprintf("the shell command %q (pid %d)", strings.Join(args[i+1:], " "), parent.Pid)
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
			continue
		}
		return fmt.Sprintf("the script %s (pid %d)", a, parent.Pid)
	}
	return ""
}
