//go:build !linux

package serve

import "time"

// threadCPU has no per-thread CPU clock to read here: holds are timed by
// the wall clock only.
func threadCPU() (time.Duration, bool) { return 0, false }
