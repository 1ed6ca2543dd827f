package netcheck

import "fmt"

// RestartTarget is the FlowMeter process a restart means: the one the
// verdict says must restart for a fix to take effect, else the chosen
// install's FlowMeter, else the only FlowMeter running. It refuses when
// none runs, or when several could be meant.
func RestartTarget(v Verdict) (Listener, error) {
	var mine, all []Listener
	seen := map[int32]bool{}
	for _, l := range v.Listeners {
		if v.RestartPID != 0 && l.PID == v.RestartPID {
			return l, nil
		}
		if l.Unchecked || l.NotThisComputer || seen[l.PID] && l.PID != 0 {
			continue
		}
		seen[l.PID] = true
		all = append(all, l)
		if v.Env.Path != "" && l.EnvPath != "" && sameInstall(l.EnvPath, v.Env.Path) {
			mine = append(mine, l)
		}
	}
	switch {
	case len(mine) == 1:
		return mine[0], nil
	case len(mine) == 0 && len(all) == 1:
		return all[0], nil
	case len(all) == 0:
		return Listener{}, fmt.Errorf("FlowMeter is not running, so there is nothing to restart: start it the way you usually do")
	}
	return Listener{}, fmt.Errorf("several FlowMeters run (%s): choose one with --env (its backend/.env)", listenerList(all))
}

// listenerList names listeners for people: "pid 41 on port 8000, ...".
func listenerList(ls []Listener) string {
	var words []string
	for _, l := range ls {
		words = append(words, fmt.Sprintf("pid %d on port %d", l.PID, l.Port))
	}
	return joinWords(words)
}
