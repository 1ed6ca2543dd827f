package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"localguard/netcheck"
)

// restartWait is how long a restart waits for FlowMeter to stop.
const restartWait = 15 * time.Second

// restartedRun is the FlowMeter process the window started, and its log.
type restartedRun struct {
	pid int32
	log string
}

// restartFlowMeter stops the FlowMeter process and starts it again as it
// was started (command, folder, environment), detached, its output in a
// log; the watch then follows it to green. Where Localguard cannot start
// it itself, it shows the command to run instead.
func (u *window) restartFlowMeter(l netcheck.Listener, p *netcheck.FlowMeterProcess) {
	launch, err := netcheck.ReadLaunch(l)
	if errors.Is(err, netcheck.ErrCannotRestart) {
		p.Release()
		u.showHowTo(netcheck.Verdict{Advice: netcheck.RestartCommand(l)})
		u.say(err.Error(), false)
		return
	}
	if err != nil {
		p.Release()
		u.say(err.Error(), true)
		return
	}
	if w := launch.ScriptWarning(); w != "" {
		u.say("Restarting FlowMeter… "+w, false)
	} else {
		u.say("Restarting FlowMeter…", false)
	}
	go func() {
		pid, log, err := netcheck.Restart(context.Background(), p, launch, netcheck.LogDir(), restartWait)
		u.do(func() {
			if err != nil {
				u.say("FlowMeter was not restarted: "+err.Error(), true)
				return
			}
			u.last, u.stoppedPID = actionRestarted, launch.PID
			u.restarted = restartedRun{pid: pid, log: log}
			u.render(u.verdict) // "Restarting" until it answers
			u.eng.checkNow()
		})
	}()
}

// restartNote is what the restart dialog adds for this FlowMeter: the user
// it is started again as, when that is not Localguard's, and the shell
// script whose remaining lines will not run; "" when neither.
func restartNote(l netcheck.Listener) string {
	launch, err := netcheck.ReadLaunch(l)
	if err != nil {
		return ""
	}
	note := launch.ScriptWarning()
	if launch.Owner != nil {
		note = strings.TrimSpace("It is started again as " + launch.Owner.Name + ", the user it runs as. " + note)
	}
	return note
}
