package proc

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// detach starts the command in a process group of its own, with no
// console tied to Localguard's: it outlives Localguard.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP | windows.DETACHED_PROCESS}
}
