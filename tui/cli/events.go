package cli

import (
	"errors"
	"fmt"
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
	subs int           // number of filters subscribed

	mu        sync.Mutex
	lines     []eventLine
	lost      int
	connected bool  // seen a first StateConnected
	allDenied error // set when every filter of a SUBACK was refused
}

type eventLine struct {
	text    string
	verbose bool // printed only with -v
}

func newConnEvents(subs int) *connEvents {
	return &connEvents{wake: make(chan struct{}, 1), subs: subs}
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

// onState is mqttconn.Options.OnState.
func (e *connEvents) onState(s mqttconn.State) {
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

// onSubscribe is mqttconn.Options.OnSubscribe.
func (e *connEvents) onSubscribe(res []mqttconn.SubResult) {
	e.mu.Lock()
	denied := []string{}
	for _, r := range res {
		if r.Err != nil {
			msg := fmt.Sprintf("subscription %q refused: %s", r.Filter, mqttconn.Describe(r.Err))
			e.add(msg, false)
			denied = append(denied, msg)
		} else {
			e.add(fmt.Sprintf("subscribed %q (QoS %d)", r.Filter, r.Granted), true)
		}
	}
	if len(res) >= e.subs && len(denied) == len(res) {
		e.allDenied = errors.New("no subscription granted: " + strings.Join(denied, "; "))
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
	return e.allDenied
}
