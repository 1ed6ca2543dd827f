package main

import (
	"fmt"
	"net"
	"os/exec"
	"syscall"
	"time"
)

// startRelay starts a relay to FlowMeter's port that listens on loopback
// only (socat TCP-LISTEN:…,bind=127.0.0.1 TCP:127.0.0.1:PORT): Localguard
// looks at it on every poll (its command line names FlowMeter's port) and
// must not report it. Skipped, saying so, when socat is not installed.
func (h *harness) startRelay(fm *flowMeter) error {
	socat, err := exec.LookPath("socat")
	if err != nil {
		h.report("relay: skipped, socat is not installed")
		return nil
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(socat, fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr", port), fmt.Sprintf("TCP:127.0.0.1:%d", fm.port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the relay: %v", err)
	}
	h.onCleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the relay does not listen on 127.0.0.1:%d", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.report("relay: socat on 127.0.0.1:%d to FlowMeter's port %d (pid %d)", port, fm.port, cmd.Process.Pid)
	return nil
}
