package netcheck

import "localguard/envfix"

// LockEnv takes the exclusive right to change the .env at envPath across
// Localguard's processes (see envfix.Lock): a caller that holds it from
// planning to writing has its plan made on the file the last writer left.
func LockEnv(envPath string) (*envfix.Lock, error) { return envfix.LockEnv(envPath) }

// UndoSteps is how many fixes of the .env at envPath undo can still put
// back, one at a time.
func UndoSteps(envPath string) int { return envfix.UndoSteps(envPath) }

// ForgetBackups removes every backup Localguard kept of the .env at
// envPath, as the user asked; it reports how many fixes can no longer be
// undone.
func ForgetBackups(envPath string) (int, error) { return envfix.ForgetBackups(envPath) }
