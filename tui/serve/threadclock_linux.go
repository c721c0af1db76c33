package serve

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadClock reads the CPU time of the thread running the caller, and
// which thread that is. ok is false when the goroutine may have moved
// between threads while it read (the two thread ids differ) or the clock
// failed: a hold's CPU is only told from its wall time when its start and
// end were read on one thread.
func threadClock() (tid int, cpu time.Duration, ok bool) {
	tid = unix.Gettid()
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, 0, false
	}
	return tid, time.Duration(ts.Nano()), unix.Gettid() == tid
}
