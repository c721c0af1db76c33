package ingest

import "github.com/mqdeck/mqdeck/mqttconn"

// hookBuffer is small: states are coalesced to the latest, SUBACK lists
// arrive once per connect.
const hookBuffer = 4

// Hooks are the transport's callbacks (mqttconn.Options.OnState and
// OnSubscribe). They never block the client's goroutines: when a buffer is
// full the oldest entry makes room, so the latest news always gets through.
type Hooks struct {
	states chan mqttconn.State
	subs   chan []mqttconn.SubResult
}

// NewHooks makes the callbacks; pass the same Hooks to Config.Hooks.
func NewHooks() *Hooks {
	return &Hooks{
		states: make(chan mqttconn.State, hookBuffer),
		subs:   make(chan []mqttconn.SubResult, hookBuffer),
	}
}

// OnState records a connection state change without blocking.
func (h *Hooks) OnState(s mqttconn.State) { putLatest(h.states, s) }

// OnSubscribe records SUBACK results without blocking. The slice is copied:
// the caller may reuse it.
func (h *Hooks) OnSubscribe(r []mqttconn.SubResult) {
	putLatest(h.subs, append([]mqttconn.SubResult(nil), r...))
}

// putLatest sends v, discarding the oldest queued value when the channel is
// full. Bounded: another producer may refill the slot, so it gives up after
// a few tries rather than spin (the value is then lost, never blocked on).
func putLatest[T any](ch chan T, v T) {
	for i := 0; i < 4; i++ {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}
