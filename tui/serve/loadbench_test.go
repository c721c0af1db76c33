package serve

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
)

// envInt reads a positive integer setting of the load run.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// rssBytes is the process's resident set (Linux /proc/self/statm).
func rssBytes(t testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// TestServeLoad is the benchmark: SESSIONS SSH sessions at
// 120x40 (x/crypto/ssh clients reading everything) while a publisher
// sends RATE msg/s of DRIVR datapoints through Mosquitto to serve's one
// client, for SECS seconds. It prints the figures and checks the targets:
// nothing dropped or lost, every session's longest frame (its hold of the
// store's lock: one drawing or one Update) under 5 ms; the wait for the lock
// is printed beside it, RSS growth under 10 MiB per session. The clients
// run in the same process, so the RSS figure includes their side too.
//
//	MQDECK_SERVE_LOAD=1 go test ./tui/serve -run ServeLoad -v
//	(MQDECK_SERVE_SESSIONS=20 MQDECK_SERVE_RATE=10000 MQDECK_SERVE_SECS=20)
func TestServeLoad(t *testing.T) {
	if os.Getenv("MQDECK_SERVE_LOAD") != "1" {
		t.Skip("set MQDECK_SERVE_LOAD=1 to run the serve load benchmark")
	}
	sessions := envInt("MQDECK_SERVE_SESSIONS", 20)
	rate := envInt("MQDECK_SERVE_RATE", 10000)
	secs := envInt("MQDECK_SERVE_SECS", 20)

	mq := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{Extra: []string{"max_queued_messages 0", "max_inflight_messages 0"}})
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: fixture.Slug})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	var smu sync.Mutex
	onState := func(who string) func(mqttconn.State) {
		return func(st mqttconn.State) {
			smu.Lock()
			states = append(states, fmt.Sprintf("%s %s %v", time.Now().Format("15:04:05.000"), who, st))
			smu.Unlock()
		}
	}
	client := connectWith(t, mqttconn.Options{Broker: mq.URL(), Subscriptions: scheme.Filters(), OnState: onState("sub")})
	pubc := connectWith(t, mqttconn.Options{Broker: mq.URL(), OnState: onState("pub")})
	var received atomic.Uint64
	tap := make(chan mqttconn.Message, 1024)
	go func() {
		defer close(tap)
		for m := range client.Messages() {
			received.Add(1)
			tap <- m
		}
	}()
	r := newRig(t, rigOpts{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hubDone := make(chan struct{})
	go func() {
		defer close(hubDone)
		r.hub.Run(ctx, Source{Messages: tap, Scheme: scheme, Dropped: client.Dropped})
	}()
	defer func() { cancel(); <-hubDone }()

	items := traffic(500, 20000)
	base := uint64(len(fixture.FleetItems()))
	sent, failed, markers := 0, 0, 0
	firstFailure := ""
	// load publishes at rate for secs from 4 goroutines (one waits for each
	// write), then waits until everything sent was applied.
	load := func() time.Duration {
		pubCtx, pubCancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second)
		defer pubCancel()
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		next := sent
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tick := time.NewTicker(10 * time.Millisecond)
				defer tick.Stop()
				per := max(rate/400, 1)
				for pubCtx.Err() == nil {
					<-tick.C
					for j := 0; j < per && pubCtx.Err() == nil; j++ {
						mu.Lock()
						it := items[next%len(items)]
						next++
						mu.Unlock()
						res := pubc.Publish(pubCtx, mqttconn.PublishRequest{Topic: it.Msg.Topic, Payload: it.Msg.Payload})
						mu.Lock()
						if res.Outcome == mqttconn.OutcomeAcked {
							sent++
						} else {
							failed++
							if firstFailure == "" {
								firstFailure = fmt.Sprintf("%v: %s", res.Outcome, res.Reason)
							}
						}
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		// A marker published last (QoS 1, same connection: Mosquitto keeps
		// one publisher's order to one subscriber) says when everything
		// sent before it has come through: what is missing then is lost,
		// not late. Waiting on a count with a deadline took a backlog still
		// in flight for a loss (the 1,171 of the last session).
		markers++
		marker := fmt.Sprintf("drivr/v1/%s/systems/marker-%d", fixture.Slug, markers)
		if res := pubc.Publish(ctx, mqttconn.PublishRequest{Topic: marker, QoS: 1,
			Payload: []byte(fmt.Sprintf(`{"uuid":"marker-%d","name":"marker"}`, markers))}); res.Outcome != mqttconn.OutcomeAcked {
			t.Fatalf("marker: %v %s", res.Outcome, res.Reason)
		}
		drainStart := time.Now()
		for !markerIn(r.hub, marker) {
			if time.Since(drainStart) > 3*time.Minute {
				t.Fatalf("the marker published after %d messages was not applied within 3 minutes (applied %d)", sent, r.hub.Applied()-base)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("backlog drained %s after the last publish", time.Since(drainStart).Round(time.Millisecond))
		return elapsed
	}

	// The store first reaches its size under this traffic without
	// sessions, so the growth measured after is the sessions'.
	sentBefore := sent
	warm := load()
	t.Logf("without sessions: %d sent in %s (%.0f msg/s)", sent-sentBefore, warm.Round(time.Millisecond), float64(sent-sentBefore)/warm.Seconds())
	runtime.GC()
	rss0 := rssBytes(t)
	terms := make([]*term, sessions)
	for i := range terms {
		terms[i] = r.open(t, fmt.Sprintf("op%02d", i), r.op, 120, 40, true)
	}
	for _, tm := range terms {
		tm.waitFor(sysName, 20*time.Second)
	}
	runtime.GC()
	rssIdle := rssBytes(t)
	sentBefore = sent
	elapsed := load()
	runtime.GC()
	rssLoad := rssBytes(t)

	var worst, sum, hold, wait time.Duration
	var views, frames, holds, slow uint64
	for _, in := range r.srv.Who() {
		worst = max(worst, in.ViewMax)
		hold, wait = max(hold, in.HoldMax), max(wait, in.WaitMax)
		sum += in.ViewTotal
		views += in.Views
		frames += in.Frames
		holds += in.Holds
		slow += in.HoldsOver5ms
	}
	mean := time.Duration(0)
	if views > 0 {
		mean = sum / time.Duration(views)
	}
	growth := float64(rssLoad-rss0) / float64(sessions) / (1 << 20)
	t.Logf("sessions %d at 120x40, %d msg/s asked, %d sent in %s (%.0f msg/s); in all %d sent, %d publish failures, %d applied, transport drops %d",
		sessions, rate, sent-sentBefore, elapsed.Round(time.Millisecond), float64(sent-sentBefore)/elapsed.Seconds(), sent, failed, r.hub.Applied()-base, client.Dropped())
	t.Logf("frames: %d wake-ups, %d views, mean view %s, longest view %s (lock wait included); longest hold of the lock %s, longest wait %s",
		frames, views, mean.Round(time.Microsecond), worst.Round(time.Microsecond), hold.Round(time.Microsecond), wait.Round(time.Microsecond))
	t.Logf("holds of the lock: %d, of them %d of 5 ms or more (%.2f%%)", holds, slow, 100*float64(slow)/float64(max(holds, 1)))
	t.Logf("RSS: store warm, no session %.1f MiB; %d idle sessions %.1f MiB; after the load with them %.1f MiB: %.2f MiB per session",
		float64(rss0)/(1<<20), sessions, float64(rssIdle)/(1<<20), float64(rssLoad)/(1<<20), growth)
	t.Logf("received by the client %d, applied %d, sent %d (+%d markers)", received.Load(), r.hub.Applied()-base, sent, markers)
	smu.Lock()
	if len(states) > 4 { // more than each client's connecting and connected
		for _, s := range states {
			t.Logf("connection state %s", s)
		}
	}
	smu.Unlock()
	if failed > 0 {
		t.Logf("first publish failure: %s", firstFailure)
	}
	if got := r.hub.Applied() - base - uint64(markers); got != uint64(sent) || client.Dropped() != 0 {
		t.Errorf("lost: sent %d, applied %d (markers aside), dropped %d", sent, got, client.Dropped())
	}
	if hold >= 5*time.Millisecond {
		t.Errorf("longest frame (hold of the lock) %s, target < 5 ms", hold)
	}
	if growth >= 10 {
		t.Errorf("RSS growth %.1f MiB per session, target < 10", growth)
	}
}

// markerIn says whether the marker's topic is in the hub's store.
func markerIn(h *Hub, topic string) bool {
	h.Lock().RLock()
	defer h.Lock().RUnlock()
	return h.Store().Topics().Topic(topic) != nil
}
