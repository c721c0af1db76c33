package record

import (
	"math"
	"sync"
	"time"
)

// Clock is a replay's clock: the recorded time of the playback position,
// moving at the playback speed between messages and stopping where the
// recording ends. The console ages, staleness and rates against it, so a
// replay reads as the session did live, whenever and however fast it is
// played. A Player moves it; it is safe for concurrent use.
type Clock struct {
	mu    sync.Mutex
	wall  func() time.Time
	speed float64       // 0: no waiting, the clock is the last message's time
	rec   time.Time     // recorded time of the last message delivered
	at    time.Time     // wall time it was due
	last  time.Time     // the latest time Now gave: never back
	pass  int           // 1 for the first pass through the recording
	shift time.Duration // how far this pass's times are moved on (loop)
	ended bool
}

// NewClock starts a clock at the recording's first time. wall is the real
// clock (time.Now when nil).
func NewClock(first time.Time, speed float64, wall func() time.Time) *Clock {
	if wall == nil {
		wall = time.Now
	}
	if math.IsInf(speed, 0) || math.IsNaN(speed) || speed < 0 {
		speed = 0 // as fast as possible: the last message's time
	}
	return &Clock{wall: wall, speed: speed, rec: first, at: wall(), pass: 1}
}

// Now is the recorded time playing now.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.rec
	if !c.ended && c.speed > 0 {
		if d := c.wall().Sub(c.at); d > 0 {
			t = t.Add(time.Duration(float64(d) * c.speed))
		}
	}
	// A late delivery moves rec back behind what Now already said: hold.
	if t.Before(c.last) {
		t = c.last
	}
	c.last = t
	return t
}

// Pass is the pass through the recording being played, from 1.
func (c *Clock) Pass() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pass
}

// Ended reports whether the playback reached the end (never with loop).
func (c *Clock) Ended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended
}

// deliver moves the clock to a message's recorded time, due at wall time at.
func (c *Clock) deliver(rec, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rec, c.at = rec, at
}

// Shift is how far the times of this pass are moved on from the
// recording's (0 on the first pass).
func (c *Clock) Shift() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.shift
}

// restart begins another pass, its times moved on by shift: they continue
// from the previous pass's latest time, never back.
func (c *Clock) restart(shift time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pass++
	c.shift = shift
}

// end stops the clock at the last message.
func (c *Clock) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ended = true
}
