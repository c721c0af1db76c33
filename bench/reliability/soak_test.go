package reliability

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/bench/hostile"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/mqtttest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/console"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// soakPlan is how long and how hard the soak runs.
type soakPlan struct {
	duration, interval time.Duration
	systems            int
	rate               float64
	churnEvery         time.Duration // a new device connects this often
	killAfter          time.Duration // then dies (its will fires)
	deleteAfter        time.Duration // then the platform deletes it
	full               bool
	// maxEvents caps the in-process console's event store (0: the default,
	// 100k). At scale the simulator raises about 24 events a second, so the
	// default cap fills only after about 70 minutes and memory climbs until
	// then (TestSoakAcceleratedPlateau shows the plateau); a cap reached
	// during the warm-up lets 30 minutes show the steady state.
	maxEvents int
}

// plan reads MQDECK_SOAK (e.g. 30m; bench/reliability/soak.sh sets it).
// Without it the soak is a short CI run of the same machinery.
func plan(t *testing.T) soakPlan {
	p := soakPlan{duration: 8 * time.Second, interval: time.Second, systems: 40, rate: 4,
		churnEvery: 250 * time.Millisecond, killAfter: 2 * time.Second, deleteAfter: 4 * time.Second}
	if v := os.Getenv("MQDECK_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("MQDECK_SOAK=%q: want a duration such as 30m", v)
		}
		// About 5k msg/s from the simulator (1.75 msg/s per system at rate 1).
		p = soakPlan{duration: d, interval: 30 * time.Second, systems: 1000, rate: 3, churnEvery: time.Second,
			killAfter: 10 * time.Second, deleteAfter: 30 * time.Second, full: true, maxEvents: 10_000}
		if v := os.Getenv("MQDECK_SOAK_INTERVAL"); v != "" {
			if p.interval, err = time.ParseDuration(v); err != nil {
				t.Fatalf("MQDECK_SOAK_INTERVAL=%q", v)
			}
		}
	}
	return p
}

// sample is one reading during the soak.
type sample struct {
	at                  time.Duration
	binRSS, binThreads  int // the console binary under tmux
	goroutines, heapKB  int // the in-process console
	applied, dropped    uint64
	liveDevices, devSeq int
}

// The soak (issue 9, item 9): the simulator at scale (`mqdeck sim`, the
// real binary) on Mosquitto, plus devices coming and going: real MQTT
// clients with a will that connect, announce themselves (retained system
// and connection state), are SIGKILLed (the broker publishes their will)
// and later deleted by the platform (retained info cleared). Two consoles
// watch it all: the binary in a 120x40 tmux pane (its RSS and threads from
// /proc), with the default caps, and the same code in this process,
// headless (its goroutines and heap), with an event cap it reaches during
// the warm-up. Readings are printed at intervals. The in-process console's
// heap and goroutines and the binary's threads must be flat after the
// warm-up; the binary's RSS must stay bounded (it climbs while its 100k
// event store fills: see TestSoakAcceleratedPlateau); the in-process
// console must leave no goroutine behind when it stops.
func TestSoak(t *testing.T) {
	// Not parallel: it counts this process's goroutines.
	needTools(t, "tmux", "mosquitto_sub")
	p := plan(t)
	m := mqtttest.StartMosquitto(t, mqtttest.MosquittoConfig{})
	sim := startMqdeck(t, nil, "sim", "--broker", m.URL(), "--systems", strconv.Itoa(p.systems), "--rate", fmt.Sprint(p.rate))
	if _, ok := sim.waitStderr(15*time.Second, "simulating"); !ok {
		t.Fatalf("simulator did not start:\n%s", sim.stderrText())
	}

	tm := hostile.Tmux{Socket: hostile.PrivateSocket("soak"), Target: "soak"}
	t.Cleanup(tm.Kill)
	if err := tm.Start(120, 40, []string{"HOME=" + t.TempDir()}, mqdeckBin(), "--broker", m.URL(),
		"--platform", "drivr", "--slug", "company-example"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tm.WaitScreen(15*time.Second, "connected"); !ok {
		s, _ := tm.Capture()
		t.Fatalf("console binary did not connect:\n%s", s)
	}
	binPID, err := tm.PID()
	if err != nil {
		t.Fatal(err)
	}

	ch := newChurn(t, m, p.killAfter, p.deleteAfter)
	defer ch.stop()
	baseGoroutines := runtime.NumGoroutine()
	con := startInProcessConsole(t, m.URL(), p.maxEvents)

	var samples []sample
	start := time.Now()
	nextSample := start.Add(p.interval)
	for time.Since(start) < p.duration {
		ch.step()
		time.Sleep(p.churnEvery)
		if time.Now().Before(nextSample) {
			continue
		}
		nextSample = nextSample.Add(p.interval)
		if dead, status, _ := tm.Dead(); dead {
			s, _ := tm.Capture()
			t.Fatalf("the console binary ended (%s) after %s:\n%s", status, time.Since(start), s)
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		s := sample{at: time.Since(start), goroutines: runtime.NumGoroutine(), heapKB: int(ms.HeapInuse >> 10),
			applied: con.received.Load(), dropped: con.client.Dropped(), liveDevices: ch.live(), devSeq: ch.n}
		s.binRSS, _ = hostile.RSSKB(binPID)
		s.binThreads, _ = threads(binPID)
		samples = append(samples, s)
		status := statusLine(tm)
		t.Logf("t=%-6s binary: RSS %6.1f MB threads %2d | in-process: goroutines %3d heap %6.1f MB received %8d dropped %d | devices live %3d seen %5d | %s",
			s.at.Round(time.Second), float64(s.binRSS)/1024, s.binThreads, s.goroutines, float64(s.heapKB)/1024, s.applied, s.dropped, s.liveDevices, s.devSeq, status)
	}
	ch.stop()
	sim.interrupt()
	sim.wait(15 * time.Second)
	screen, _ := tm.Capture()
	// Deleted devices leave the fleet: what remains is the simulated fleet
	// and the devices not yet deleted.
	if mm := regexp.MustCompile(`(\d+) systems`).FindStringSubmatch(screen); mm == nil {
		t.Errorf("no system count on the console's fleet pane")
	} else if n, _ := strconv.Atoi(mm[1]); n > p.systems+int(p.deleteAfter/p.churnEvery)+5 {
		t.Errorf("the console holds %d systems: %d simulated, at most %d churned devices alive; deleted ones stayed (%d seen)",
			n, p.systems, int(p.deleteAfter/p.churnEvery), ch.n)
	}
	t.Logf("simulator: %s", strings.TrimSpace(sim.stderrText()))
	t.Logf("console binary's last screen:\n%s", screen)

	con.stop()
	leak := waitGoroutines(baseGoroutines, 10*time.Second)
	t.Logf("in-process console stopped: goroutines %d (baseline before it started %d)", leak, baseGoroutines)
	if leak > baseGoroutines+1 {
		t.Errorf("goroutines left behind: %d, baseline %d", leak, baseGoroutines)
	}
	if len(samples) < 3 {
		t.Fatalf("only %d samples", len(samples))
	}
	if con.received.Load() == 0 {
		t.Fatal("the in-process console received nothing")
	}
	checkFlat(t, samples, p.full)
}

// checkFlat compares the second third of the run with the last third
// (the first third is warm-up: the fleet is still being discovered).
// strict (the long soak) fails on growth past 15% plus a little; the
// binary's RSS only has to stay under a bound, since its event store is
// still filling towards the default cap.
func checkFlat(t *testing.T, s []sample, strict bool) {
	t.Helper()
	n := len(s)
	mid, last := s[n/3:2*n/3], s[2*n/3:]
	med := func(xs []sample, f func(sample) int) int {
		v := make([]int, len(xs))
		for i, x := range xs {
			v[i] = f(x)
		}
		sort.Ints(v)
		return v[len(v)/2]
	}
	for _, c := range []struct {
		name  string
		f     func(sample) int
		slack int  // absolute allowance on top of 15%
		flat  bool // must be flat (else only reported)
	}{
		{"in-process heap kB", func(x sample) int { return x.heapKB }, 8 << 10, true},
		{"in-process goroutines", func(x sample) int { return x.goroutines }, 3, true},
		{"binary threads", func(x sample) int { return x.binThreads }, 2, true},
		{"binary RSS kB", func(x sample) int { return x.binRSS }, 0, false},
	} {
		a, b := med(mid, c.f), med(last, c.f)
		t.Logf("%s: median %d in the middle third, %d in the last third (%+.1f%%)", c.name, a, b, 100*float64(b-a)/float64(max(a, 1)))
		if strict && c.flat && b > a+a*15/100+c.slack {
			t.Errorf("%s grew from %d to %d", c.name, a, b)
		}
	}
	peak := 0
	for _, x := range s {
		peak = max(peak, x.binRSS)
	}
	if limit := 1 << 20; peak > limit { // 1 GiB: far past what the default caps explain
		t.Errorf("console binary RSS peaked at %d MB", peak>>10)
	}
}

// statusLine is the console's status bar (its first line), squeezed.
func statusLine(tm hostile.Tmux) string {
	s, err := tm.Capture()
	if err != nil {
		return err.Error()
	}
	first, _, _ := strings.Cut(s, "\n")
	return strings.Join(strings.Fields(first), " ")
}

func waitGoroutines(want int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inProcessConsole is the console's pipeline in this process: an
// mqttconn.Client on the DRIVR scheme's filters, the pump, the store and
// every pane drawn at 120x40, output discarded.
type inProcessConsole struct {
	client   mqttconn.Client
	received atomic.Uint64
	cancel   context.CancelFunc
	done     chan error
}

func startInProcessConsole(t *testing.T, broker string, maxEvents int) *inProcessConsole {
	t.Helper()
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: "company-example"})
	if err != nil {
		t.Fatal(err)
	}
	hooks := ingest.NewHooks()
	c, err := mqttconn.New(mqttconn.Options{Broker: broker, Protocol: mqttconn.Protocol5, Subscriptions: scheme.Filters(),
		OnState: hooks.OnState, OnSubscribe: hooks.OnSubscribe})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(timeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	con := &inProcessConsole{client: c, done: make(chan error, 1)}
	counted := make(chan mqttconn.Message, 1024)
	ctx, cancel := context.WithCancel(context.Background())
	con.cancel = cancel
	go func() {
		defer close(counted)
		for {
			select {
			case m := <-c.Messages():
				con.received.Add(1)
				select {
				case counted <- m:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	caps := fleet.DefaultConfig()
	if maxEvents > 0 {
		caps.MaxEvents = maxEvents
	}
	cfg := console.Config{Source: console.Source{Messages: counted, Scheme: scheme, Dropped: c.Dropped, Hooks: hooks},
		Fleet: caps, CrashDir: t.TempDir()}
	go func() {
		con.done <- console.Run(ctx, cfg, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40))
	}()
	t.Cleanup(con.stop)
	return con
}

func (c *inProcessConsole) stop() {
	if c.cancel == nil {
		return
	}
	c.cancel()
	c.cancel = nil
	<-c.done
	_ = c.client.Close()
}

// churn makes devices come and go: each one a real MQTT client
// (mosquitto_sub with a will) announced by a retained system record.
type churn struct {
	t                      *testing.T
	killAfter, deleteAfter time.Duration
	pub                    mqttconn.Client
	port                   string
	n                      int
	devices                []*churnDevice
}

type churnDevice struct {
	id   string
	born time.Time
	proc *exec.Cmd // no pipes: Start adds no goroutine to this process
}

// newChurn makes devices that die (their will fires) after killAfter and
// are deleted by the platform after deleteAfter.
func newChurn(t *testing.T, m *mqtttest.Mosquitto, killAfter, deleteAfter time.Duration) *churn {
	c, err := mqttconn.New(mqttconn.Options{Broker: m.URL(), Protocol: mqttconn.Protocol5})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(timeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &churn{t: t, pub: c, port: strconv.Itoa(m.Port), killAfter: killAfter, deleteAfter: deleteAfter}
}

func (c *churn) topic(id string) string { return "drivr/v1/company-example/systems/" + id }

func (c *churn) publish(topic, payload string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.pub.Publish(ctx, mqttconn.PublishRequest{Topic: topic, Payload: []byte(payload), QoS: 1, Retain: true})
}

// step adds one device, kills the ones due, deletes the old ones.
func (c *churn) step() {
	now := time.Now()
	c.n++
	id := fmt.Sprintf("c0ffee00-0000-4000-8000-%012d", c.n)
	c.publish(c.topic(id), fmt.Sprintf(`{"uuid":%q,"name":"Churn %d","code":"CH-%d","status":"ACTIVE"}`, id, c.n, c.n))
	cmd := exec.Command("mosquitto_sub", "-h", "127.0.0.1", "-p", c.port, "-i", id, "-t", "churn/"+id,
		"--will-topic", c.topic(id)+"/connectionState", "--will-payload", "DISCONNECTED", "--will-retain", "--will-qos", "1")
	d := &churnDevice{id: id, born: now}
	if err := cmd.Start(); err == nil {
		d.proc = cmd
		c.publish(c.topic(id)+"/connectionState", "CONNECTED")
	}
	c.devices = append(c.devices, d)
	keep := c.devices[:0]
	for _, d := range c.devices {
		age := now.Sub(d.born)
		if age > c.killAfter && d.proc != nil {
			_ = d.proc.Process.Signal(syscall.SIGKILL) // no DISCONNECT: the broker sends the will
			_ = d.proc.Wait()
			d.proc = nil
		}
		if age > c.deleteAfter {
			c.publish(c.topic(d.id)+"/connectionState", "")
			c.publish(c.topic(d.id), "")
			continue
		}
		keep = append(keep, d)
	}
	c.devices = keep
}

func (c *churn) live() int {
	n := 0
	for _, d := range c.devices {
		if d.proc != nil {
			n++
		}
	}
	return n
}

func (c *churn) stop() {
	for _, d := range c.devices {
		if d.proc != nil {
			_ = d.proc.Process.Kill()
			_ = d.proc.Wait()
			d.proc = nil
		}
	}
}
