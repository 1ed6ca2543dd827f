package netcheck

import "time"

// defaultInterval: the listening sockets are looked at every lookEvery
// between two full checks.
const defaultInterval = 10 * time.Second
