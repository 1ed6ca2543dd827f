//go:build unix

package proc

import (
	"os/exec"
	"syscall"
)

// detach starts the command in a session of its own: it outlives
// Localguard and gets no signal meant for Localguard's terminal.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
