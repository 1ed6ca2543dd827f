package netcheck

import (
	"fmt"
	"os"
)

// StopFlowMeter asks the FlowMeter process pid to stop, as Ctrl-C in its
// terminal would; whatever it holds in memory (loaded datasets) is lost.
func StopFlowMeter(pid int32) error {
	p, err := os.FindProcess(int(pid))
	if err != nil {
		return fmt.Errorf("finding FlowMeter (pid %d): %w", pid, err)
	}
	if err := stopProcess(p); err != nil {
		return fmt.Errorf("stopping FlowMeter (pid %d): %w: stop it in its terminal with Ctrl-C", pid, err)
	}
	return nil
}
