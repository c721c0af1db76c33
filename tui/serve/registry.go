package serve

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/console"
)

// Identity is who a session is: the SSH user, the key's fingerprint and
// the role the key files gave it at login.
type Identity struct {
	User string
	Key  string // SHA256:…
	Role Role
}

// String is how the identity reads in a row: "alice SHA256:…".
func (id Identity) String() string { return decode.Safe(id.User) + " " + id.Key }

// Info is one connected session, for `who`.
type Info struct {
	ID int
	Identity
	Remote string
	Since  time.Time
	Idle   time.Duration
	Frames uint64 // wake-ups with new data its program has taken
	// Views is how many screens its console drew, ViewMax the longest
	// (lock wait included), ViewTotal their sum.
	Views     uint64
	ViewMax   time.Duration
	ViewTotal time.Duration
	// HoldMax is the longest the session held the store's lock (one
	// Update or one drawing), WaitMax the longest it waited for it.
	HoldMax, WaitMax time.Duration
	// Holds counts the holds of the lock, HoldsOver5ms those of 5 ms or
	// more: how often, not only how long at worst. HoldHist spreads them
	// by length.
	Holds, HoldsOver5ms uint64
	HoldHist            HoldHist
	// With Config.ClockHolds (Linux), the HoldsClocked holds measured in
	// CPU time too: HoldCPUHist spreads them, HoldCPUMax is the most one
	// took (its work and GC assists, and any kernel work charged to its
	// thread), HoldsCPUOver5ms counts those of 5 ms or more. Wall time
	// beyond its CPU time is time the hold waited for a core or a thread.
	HoldsClocked    uint64
	HoldCPUHist     HoldHist
	HoldCPUMax      time.Duration
	HoldsCPUOver5ms uint64
}

// Hold histogram: 250 µs steps up to 10 ms, and a last bucket for longer.
const (
	histStep    = 250 * time.Microsecond
	histBuckets = 41
)

// HoldHist counts holds of the store's lock by wall time: enough to read
// a percentile against the 5 ms frame budget without keeping every hold.
type HoldHist [histBuckets]uint64

// Add counts another histogram's holds in this one.
func (h *HoldHist) Add(o HoldHist) {
	for i := range h {
		h[i] += o[i]
	}
}

// Total is how many holds the histogram counts.
func (h HoldHist) Total() uint64 {
	var n uint64
	for _, c := range h {
		n += c
	}
	return n
}

// Quantile is the upper bound of the bucket holding the q-quantile (0 <
// q <= 1): that share of the holds took less. 10 ms reads "10 ms or more".
func (h HoldHist) Quantile(q float64) time.Duration {
	n := h.Total()
	if n == 0 {
		return 0
	}
	want := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i, c := range h {
		seen += c
		if seen >= want {
			return time.Duration(i+1) * histStep
		}
	}
	return histBuckets * histStep
}

// entry is a session in the registry.
type entry struct {
	id     int
	ident  Identity
	remote string
	since  time.Time
	last   atomic.Int64 // unix nanoseconds of the last key or click
	frames atomic.Uint64
	views  atomic.Uint64
	vMax   atomic.Int64
	vTotal atomic.Int64
	hMax   atomic.Int64
	wMax   atomic.Int64
	holds  atomic.Uint64
	slow   atomic.Uint64 // holds of 5 ms or more
	hist   [histBuckets]atomic.Uint64
	cHist  [histBuckets]atomic.Uint64
	cMax   atomic.Int64  // most CPU in one hold
	cHolds atomic.Uint64 // holds whose CPU was read
	cSlow  atomic.Uint64 // of them, 5 ms of CPU or more
	stop   func(reason string)
}

func (e *entry) touch(now time.Time) { e.last.Store(now.UnixNano()) }

// viewed records one screen drawn in d.
func (e *entry) viewed(d time.Duration) {
	e.views.Add(1)
	e.vTotal.Add(int64(d))
	storeMax(&e.vMax, d)
}

func storeMax(a *atomic.Int64, d time.Duration) {
	for {
		m := a.Load()
		if int64(d) <= m || a.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// timedLock is the store's lock as one session takes it: how long it
// waited and how long it held it are recorded, and with clock the CPU time
// of the hold on its thread. One session's program takes it from one
// goroutine, so the fields after clock are only touched by the holder.
type timedLock struct {
	mu    console.RWLocker
	e     *entry
	clock bool

	at      time.Time     // when the lock was taken
	cpu     time.Duration // with clock: the thread's CPU clock then
	clocked bool          // it could be read
}

func (l *timedLock) RLock() {
	start := time.Now()
	l.mu.RLock()
	l.taken(start)
}

func (l *timedLock) RUnlock() {
	l.held()
	l.mu.RUnlock()
}

func (l *timedLock) Lock() {
	start := time.Now()
	l.mu.Lock()
	l.taken(start)
}

func (l *timedLock) Unlock() {
	l.held()
	l.mu.Unlock()
}

func (l *timedLock) taken(start time.Time) {
	l.at = time.Now()
	storeMax(&l.e.wMax, l.at.Sub(start))
	if l.clock {
		// Pinned, no other goroutine runs on this thread until held: its
		// CPU clock then counts this hold's work, GC assists included.
		runtime.LockOSThread()
		l.cpu, l.clocked = threadCPU()
	}
}

func (l *timedLock) held() {
	d := time.Since(l.at)
	e := l.e
	storeMax(&e.hMax, d)
	e.holds.Add(1)
	e.hist[min(int(d/histStep), histBuckets-1)].Add(1)
	if d >= 5*time.Millisecond {
		e.slow.Add(1)
	}
	if !l.clock {
		return
	}
	cpu, ok := threadCPU()
	runtime.UnlockOSThread()
	if ok && l.clocked {
		c := cpu - l.cpu
		e.cHolds.Add(1)
		e.cHist[min(int(c/histStep), histBuckets-1)].Add(1)
		storeMax(&e.cMax, c)
		if c >= 5*time.Millisecond {
			e.cSlow.Add(1)
		}
	}
}

func (e *entry) histogram() HoldHist { return histOf(&e.hist) }

func histOf(a *[histBuckets]atomic.Uint64) HoldHist {
	var h HoldHist
	for i := range h {
		h[i] = a[i].Load()
	}
	return h
}

func (e *entry) idle(now time.Time) time.Duration {
	return now.Sub(time.Unix(0, e.last.Load()))
}

// registry holds the connected sessions and enforces the maximum.
type registry struct {
	mu     sync.Mutex
	closed bool // shutting down: nobody new
	max    int
	next   int
	m      map[int]*entry
	now    func() time.Time
}

func newRegistry(max int, now func() time.Time) *registry {
	return &registry{max: max, m: map[int]*entry{}, now: now}
}

// add admits a session, or says why not.
func (r *registry) add(id Identity, remote string, stop func(string)) (*entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, fmt.Errorf("mqdeck serve is shutting down")
	}
	if len(r.m) >= r.max {
		return nil, fmt.Errorf("mqdeck serve is full (--max-sessions %d); try again later", r.max)
	}
	r.next++
	now := r.now()
	e := &entry{id: r.next, ident: id, remote: remote, since: now, stop: stop}
	e.touch(now)
	r.m[e.id] = e
	return e, nil
}

func (r *registry) remove(e *entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, e.id)
}

// list is every session, oldest first.
func (r *registry) list() []Info {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	out := make([]Info, 0, len(r.m))
	for _, e := range r.m {
		out = append(out, Info{ID: e.id, Identity: e.ident, Remote: e.remote, Since: e.since, Idle: e.idle(now), Frames: e.frames.Load(),
			Views: e.views.Load(), ViewMax: time.Duration(e.vMax.Load()), ViewTotal: time.Duration(e.vTotal.Load()),
			HoldMax: time.Duration(e.hMax.Load()), WaitMax: time.Duration(e.wMax.Load()),
			Holds: e.holds.Load(), HoldsOver5ms: e.slow.Load(), HoldHist: e.histogram(),
			HoldsClocked: e.cHolds.Load(), HoldCPUHist: histOf(&e.cHist), HoldsCPUOver5ms: e.cSlow.Load(),
			HoldCPUMax: time.Duration(e.cMax.Load())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// stopAll tells every session to end, with the reason it will show, and
// admits nobody after.
func (r *registry) stopAll(reason string) {
	r.mu.Lock()
	r.closed = true
	es := make([]*entry, 0, len(r.m))
	for _, e := range r.m {
		es = append(es, e)
	}
	r.mu.Unlock()
	for _, e := range es {
		e.stop(reason)
	}
}

// WhoTable renders the sessions as the `who` command prints them.
func WhoTable(infos []Info, now time.Time) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-3s %-16s %-8s %-51s %-20s %-9s %s\r\n", "#", "USER", "ROLE", "KEY", "SINCE", "IDLE", "FROM")
	for _, in := range infos {
		fmt.Fprintf(&sb, "%-3d %-16s %-8s %-51s %-20s %-9s %s\r\n", in.ID, decode.Truncate(decode.Safe(in.User), 16), in.Role,
			in.Key, in.Since.UTC().Format("2006-01-02 15:04:05Z"), in.Idle.Truncate(time.Second), in.Remote)
	}
	fmt.Fprintf(&sb, "%d session(s) at %s\r\n", len(infos), now.UTC().Format(time.RFC3339))
	return sb.String()
}
