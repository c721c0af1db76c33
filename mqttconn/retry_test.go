package mqttconn

import (
	"testing"
	"time"
)

// RetryNow ends a reconnect wait at once; outside a wait it says no and a
// press does not carry over to cut the next wait short.
func TestRetryNowEndsTheWait(t *testing.T) {
	c := &common{retry: newRetrier()}
	if c.RetryNow() {
		t.Fatal("RetryNow reported a wait while none was running")
	}
	done := make(chan struct{})
	ended := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		c.waitRetry(done, time.Hour)
		ended <- time.Since(start)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !c.RetryNow() {
		if time.Now().After(deadline) {
			close(done)
			t.Fatal("the wait never started")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case d := <-ended:
		if d > 5*time.Second {
			t.Fatalf("the wait took %s", d)
		}
	case <-time.After(5 * time.Second):
		close(done)
		t.Fatal("RetryNow did not end the one-hour wait")
	}
	// A press while not waiting must not shorten the next wait.
	c.RetryNow()
	c.retry.now <- struct{}{} // even one already queued
	start := time.Now()
	c.waitRetry(nil, 50*time.Millisecond)
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("a stale press cut the next wait to %s", d)
	}
}
