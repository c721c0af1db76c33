package serve

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// The cause of the load test's "1,171 acknowledged messages never
// applied" (issue 15): with one mutex for the hub and the sessions, each
// chunk the hub applied waited its turn behind every session's frame, so
// under CPU contention (frames of tens of milliseconds) the hub applied a
// few hundred items a second, the backlog grew in Mosquitto and the socket
// buffers, and the test's 30 s wait for the count ended with it still in
// flight: late, not lost (the transport dropped nothing). With the
// read/write lock, sessions draw at once beside each other and the hub's
// next chunk waits for at most the frames already begun.
//
// Here 20 sessions draw without pause, each frame holding the store for
// 50 ms, while the hub applies a 1,024-item batch (8 chunks). One mutex:
// each chunk waits behind about 20 frames, 8 x 20 = 160 frames (8 s).
// Read/write lock: about one frame per chunk, 8 frames (0.4 s) plus the
// applying. The bound, half the mutex's cost, is counted in frames as the
// sessions measured them, and a frame is long beside the applying itself
// (60-340 ms for the whole batch under -race on the loaded 2-core machine),
// so a slow machine does not fail it: with 10 ms frames and a fixed 800 ms
// bound, the applying alone took most of the room and the test failed
// once at 806 ms in a loaded full run.
func TestHubIsNotStarvedByDrawingSessions(t *testing.T) {
	h := NewHub(fleet.New(fleet.DefaultConfig(), platforms.Fleet()))
	items := traffic(50, 1024)
	const frame = 50 * time.Millisecond
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var drawn, drawing atomic.Int64 // frames ended; their total length in ns
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lock := h.Lock()
			for n := 0; n < 400; n++ { // bounded: 20 s of frames at most
				select {
				case <-stop:
					return
				default:
				}
				lock.RLock()
				began := time.Now()
				time.Sleep(frame) // one frame's drawing
				drawing.Add(int64(time.Since(began)))
				lock.RUnlock()
				drawn.Add(1)
			}
		}()
	}
	time.Sleep(2 * frame) // every session drawing
	start := time.Now()
	h.Apply(ingest.Batch{Items: items[:1024]})
	took := time.Since(start)
	close(stop)
	wg.Wait()
	mean := time.Duration(drawing.Load() / max(drawn.Load(), 1))
	frames := float64(took) / float64(mean)
	t.Logf("1024 items applied beside 20 sessions drawing %s frames back to back (%s each as measured): %s, %.1f frames",
		frame, mean.Round(100*time.Microsecond), took.Round(time.Millisecond), frames)
	if frames > 80 {
		t.Errorf("the hub took %s (%.0f frames) for 8 chunks: it waits behind the sessions' frames (one mutex would take ~160 frames)", took, frames)
	}
	if got := h.Store().Totals().Messages; got != 1024 {
		t.Errorf("applied %d of 1024", got)
	}
}
