//go:build !linux

package netcheck

import "time"

// defaultInterval: nothing is looked at between two full checks but the
// .env and the interfaces, so they come often.
const defaultInterval = 2 * time.Second
