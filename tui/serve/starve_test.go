package serve

import (
	"sync"
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
// 10 ms, while the hub applies a 1,024-item batch (8 chunks). One mutex:
// about 8 x 20 x 10 ms = 1.6 s. Read/write lock: about 8 x 10 ms.
func TestHubIsNotStarvedByDrawingSessions(t *testing.T) {
	h := NewHub(fleet.New(fleet.DefaultConfig(), platforms.Fleet()))
	items := traffic(50, 1024)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lock := h.Lock()
			for n := 0; n < 2000; n++ { // bounded: 20 s of frames at most
				select {
				case <-stop:
					return
				default:
				}
				lock.RLock()
				time.Sleep(10 * time.Millisecond) // one frame's drawing
				lock.RUnlock()
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // every session drawing
	start := time.Now()
	h.Apply(ingest.Batch{Items: items[:1024]})
	took := time.Since(start)
	close(stop)
	wg.Wait()
	t.Logf("1024 items applied beside 20 sessions drawing 10 ms frames back to back: %s", took.Round(time.Millisecond))
	if took > 800*time.Millisecond {
		t.Errorf("the hub took %s for 8 chunks: it waits behind the sessions' frames (one mutex would take ~1.6 s)", took)
	}
	if got := h.Store().Totals().Messages; got != 1024 {
		t.Errorf("applied %d of 1024", got)
	}
}
