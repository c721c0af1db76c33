package cli

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

// maxPendingEvents bounds what piles up if stderr is not being drained.
const maxPendingEvents = 256

// connEvents collects connection states and SUBACK results from the
// client's goroutines without ever blocking them, for the log loop to
// print on stderr between messages.
type connEvents struct {
	wake chan struct{} // poked (never blocking) when something arrived

	mu        sync.Mutex
	subs      int // number of filters subscribed
	lines     []eventLine
	lost      int
	connected bool              // seen a first StateConnected
	denied    map[string]string // filter -> why, for the filters refused last time
	granted   map[string]bool
}

type eventLine struct {
	text    string
	verbose bool // printed only with -v
}

func newConnEvents() *connEvents {
	return &connEvents{wake: make(chan struct{}, 1), denied: map[string]string{}, granted: map[string]bool{}}
}

// expect is told how many filters are subscribed, before connecting.
func (e *connEvents) expect(n int) {
	e.mu.Lock()
	e.subs = n
	e.mu.Unlock()
}

func (e *connEvents) add(text string, verbose bool) {
	if len(e.lines) >= maxPendingEvents {
		e.lost++
		return
	}
	e.lines = append(e.lines, eventLine{text: decode.Safe(text), verbose: verbose})
}

func (e *connEvents) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// OnState is mqttconn.Options.OnState.
func (e *connEvents) OnState(s mqttconn.State) {
	e.mu.Lock()
	switch s.Kind {
	case mqttconn.StateConnecting:
		msg := "connecting to " + s.Broker
		if s.Err != nil {
			msg += ": " + mqttconn.Describe(s.Err)
		}
		e.add(msg, true)
	case mqttconn.StateConnected:
		// Reconnections are news to anyone reading the log; the first is not.
		e.add(fmt.Sprintf("connected to %s (MQTT %s)", s.Broker, s.Protocol), !e.connected)
		e.connected = true
	case mqttconn.StateReconnecting:
		msg := fmt.Sprintf("connection to %s lost", s.Broker)
		if s.Err != nil {
			msg += ": " + mqttconn.Describe(s.Err)
		}
		e.add(fmt.Sprintf("%s; reconnecting in %s (attempt %d)", msg, s.RetryIn.Round(100*time.Millisecond), s.Attempt), false)
	case mqttconn.StateStopped:
		if s.Err != nil && e.connected {
			e.add("stopped: "+mqttconn.Describe(s.Err), false)
		}
	}
	e.mu.Unlock()
	e.poke()
}

// OnSubscribe is mqttconn.Options.OnSubscribe.
func (e *connEvents) OnSubscribe(res []mqttconn.SubResult) {
	e.mu.Lock()
	for _, r := range res {
		if r.Err != nil {
			msg := fmt.Sprintf("subscription %q %s: %s", r.Filter, r.Outcome(), mqttconn.Describe(r.Err))
			e.add(msg, false)
			e.denied[r.Filter] = msg
			delete(e.granted, r.Filter)
		} else {
			e.add(fmt.Sprintf("subscribed %q (QoS %d)", r.Filter, r.Granted), true)
			e.granted[r.Filter] = true
			delete(e.denied, r.Filter)
		}
	}
	e.mu.Unlock()
	e.poke()
}

// drain returns the lines to print now (verbose ones only when asked).
func (e *connEvents) drain(verbose bool) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, l := range e.lines {
		if verbose || !l.verbose {
			out = append(out, l.text)
		}
	}
	if e.lost > 0 {
		out = append(out, fmt.Sprintf("%d connection notices not shown", e.lost))
		e.lost = 0
	}
	e.lines = e.lines[:0]
	return out
}

// fatal is non-nil when nothing can ever arrive: every filter was refused.
func (e *connEvents) fatal() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.subs == 0 || len(e.granted) > 0 || len(e.denied) < e.subs {
		return nil
	}
	why := make([]string, 0, len(e.denied))
	for _, msg := range e.denied {
		why = append(why, msg)
	}
	sort.Strings(why)
	return errors.New("no subscription granted: " + strings.Join(why, "; "))
}
