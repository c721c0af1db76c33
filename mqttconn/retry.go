package mqttconn

import (
	"sync/atomic"
	"time"
)

// retrier lets the operator cut a reconnect wait short (the console's
// "retry now" key) instead of watching the back-off count down.
type retrier struct {
	waiting atomic.Bool
	now     chan struct{} // capacity 1: one press is enough
}

func newRetrier() retrier { return retrier{now: make(chan struct{}, 1)} }

// RetryNow ends the current wait before a reconnect attempt, so the attempt
// starts at once. It reports false, and does nothing, when the client is
// not waiting to reconnect.
func (c *common) RetryNow() bool {
	if !c.retry.waiting.Load() {
		return false
	}
	select {
	case c.retry.now <- struct{}{}:
	default:
	}
	return true
}

// waitRetry waits d before a reconnect attempt, less if RetryNow is called,
// and returns early when done closes.
func (c *common) waitRetry(done <-chan struct{}, d time.Duration) {
	select {
	case <-c.retry.now: // a press from an earlier wait is not for this one
	default:
	}
	c.retry.waiting.Store(true)
	defer c.retry.waiting.Store(false)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.retry.now:
	case <-done:
	}
}
