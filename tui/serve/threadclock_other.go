//go:build !linux

package serve

import "time"

// threadClock has no per-thread CPU clock to read here: holds are timed
// by the wall clock only.
func threadClock() (tid int, cpu time.Duration, ok bool) { return 0, 0, false }
